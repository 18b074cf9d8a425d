import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import type * as h5wasm from 'h5wasm/node';
import { resolve } from 'node:path';
import { CheckpointError, InputError, temporarySibling } from '@nextx/core';
import type { ComplexArray } from '../kspace/complex-array.js';
import type { RealImage } from './resample.js';

type H5Module = typeof h5wasm;
type H5File = InstanceType<H5Module['File']>;
type H5Dataset = InstanceType<H5Module['Dataset']>;

let h5: Promise<H5Module> | undefined;

/** h5wasm (the HDF5 C library compiled to WebAssembly), loaded once. */
async function loadH5(): Promise<H5Module> {
  h5 ??= import('h5wasm/node').then(async (module) => {
    await module.ready;
    return module;
  });
  return h5;
}

export type FastmriTargetKey = 'reconstruction_rss' | 'reconstruction_esc';

/** One slice of a fastMRI file. */
export interface FastmriSlice {
  readonly file: string;
  readonly slice: number;
  readonly numSlices: number;
  /** [C, H, W]; single-coil files ([slices, H, W]) give C = 1. */
  readonly kspace: ComplexArray;
  readonly multicoil: boolean;
  /** The slice of `reconstruction_rss` (multi-coil) or `reconstruction_esc` (single-coil), when the file has one. */
  readonly target?: RealImage;
  readonly targetKey?: FastmriTargetKey;
  /** The `mask` dataset of fastMRI's test and challenge files (1 per measured column of W). */
  readonly mask?: Uint8Array;
  /** File attributes (acquisition, max, norm, patient_id, ...), numbers and strings. */
  readonly attributes: Readonly<Record<string, string | number>>;
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function isHdf5(path: string): boolean {
  const head = readFileSync(path).subarray(0, 8);
  return HDF5_SIGNATURE.every((b, i) => head[i] === b);
}

async function openFile(path: string): Promise<{ module: H5Module; file: H5File }> {
  if (!existsSync(path)) throw new InputError(`fastMRI file not found: ${path}`);
  if (!isHdf5(path)) throw new CheckpointError(path, 'not an HDF5 file (no HDF5 signature at byte 0)', 0);
  const module = await loadH5();
  try {
    return { module, file: new module.File(resolve(path), 'r') };
  } catch (error) {
    throw new CheckpointError(path, `HDF5 file cannot be opened (${String(error)})`, undefined, { cause: error });
  }
}

function datasetOf(module: H5Module, file: H5File, name: string): H5Dataset | undefined {
  if (!file.keys().includes(name)) return undefined;
  const entity = file.get(name);
  return entity instanceof module.Dataset ? entity : undefined;
}

function isComplexCompound(dataset: H5Dataset): boolean {
  const compound = dataset.metadata.compound_type;
  return compound !== undefined && compound.members.length === 2 && compound.members.every((m) => m.type === 1 && m.size === 4);
}

function attributesOf(file: H5File): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [name, attribute] of Object.entries(file.attrs)) {
    const value = attribute.value;
    if (typeof value === 'string' || typeof value === 'number') out[name] = value;
    else if (typeof value === 'bigint') out[name] = Number(value);
  }
  return out;
}

/**
 * Reads one slice of a fastMRI HDF5 file (multi-coil `kspace` [slices, coils, H, W] or single-coil [slices, H, W],
 * complex64 as h5py writes it: a compound of two float32 members), with its target and mask when present. Default
 * slice: the middle one. A file without `kspace`, a real-valued `kspace`, another rank or a slice out of range is an
 * error naming the file and the dataset.
 */
export async function readFastmriSlice(path: string, options: { slice?: number } = {}): Promise<FastmriSlice> {
  const { module, file } = await openFile(path);
  try {
    const kspace = datasetOf(module, file, 'kspace');
    if (!kspace) throw new InputError(`${path}: no 'kspace' dataset; the file has ${file.keys().map((k) => `'${k}'`).join(', ') || 'nothing'}`);
    if (!isComplexCompound(kspace)) throw new InputError(`${path}: 'kspace' is not complex (dtype ${JSON.stringify(kspace.dtype)}; fastMRI stores complex64)`);
    const shape = kspace.shape ?? [];
    if (shape.length !== 3 && shape.length !== 4) throw new InputError(`${path}: 'kspace' has shape [${shape.join(', ')}]; expected [slices, H, W] or [slices, coils, H, W]`);
    const numSlices = shape[0] as number;
    const slice = options.slice ?? Math.floor(numSlices / 2);
    if (!Number.isInteger(slice) || slice < 0 || slice >= numSlices) throw new InputError(`${path}: slice ${slice} is outside 0…${numSlices - 1}`);
    const multicoil = shape.length === 4;
    const [C, H, W] = multicoil ? (shape.slice(1) as [number, number, number]) : [1, shape[1] as number, shape[2] as number];
    const pairs = kspace.slice([[slice, slice + 1]]) as unknown as [number, number][];
    const re = new Float32Array(C * H * W);
    const im = new Float32Array(C * H * W);
    pairs.forEach(([r, i], p) => {
      re[p] = r;
      im[p] = i;
    });
    const targetKey = (['reconstruction_rss', 'reconstruction_esc'] as const).find((key) => datasetOf(module, file, key));
    const target = targetKey ? readTargetSlice(path, datasetOf(module, file, targetKey) as H5Dataset, targetKey, slice, numSlices) : undefined;
    const maskSet = datasetOf(module, file, 'mask');
    const mask = maskSet ? Uint8Array.from(maskSet.value as ArrayLike<number>, (v) => (Number(v) ? 1 : 0)) : undefined;
    if (mask && mask.length !== W) throw new InputError(`${path}: 'mask' has ${mask.length} entries but 'kspace' has ${W} columns`);
    return {
      file: path,
      slice,
      numSlices,
      kspace: { re, im, shape: [C, H, W] },
      multicoil,
      ...(target ? { target, targetKey } : {}),
      ...(mask ? { mask } : {}),
      attributes: attributesOf(file),
    };
  } finally {
    file.close();
  }
}

function readTargetSlice(path: string, dataset: H5Dataset, key: string, slice: number, numSlices: number): RealImage {
  const shape = dataset.shape ?? [];
  if (shape.length !== 3 || shape[0] !== numSlices) throw new InputError(`${path}: '${key}' has shape [${shape.join(', ')}]; expected [${numSlices}, h, w]`);
  const values = dataset.slice([[slice, slice + 1]]) as ArrayLike<number>;
  return { data: Float32Array.from(values), height: shape[1] as number, width: shape[2] as number };
}

/** A fastMRI-layout volume to write. */
export interface FastmriVolume {
  /** [slices, coils, H, W] (multi-coil) or [slices, H, W] (single-coil). */
  readonly kspace: ComplexArray;
  readonly reconstructionRss?: { readonly data: Float32Array; readonly shape: readonly [number, number, number] };
  readonly reconstructionEsc?: { readonly data: Float32Array; readonly shape: readonly [number, number, number] };
  readonly mask?: Uint8Array;
  readonly attributes?: Readonly<Record<string, string | number>>;
}

/** Writes a fastMRI-layout HDF5 file (complex64 as h5py's {r, i} compound), atomically. */
export async function writeFastmriFile(path: string, volume: FastmriVolume): Promise<string> {
  const module = await loadH5();
  const target = resolve(path);
  const staging = temporarySibling(target);
  const file = new module.File(staging, 'w');
  try {
    file.create_dataset({
      name: 'kspace',
      data: new Map([
        ['r', volume.kspace.re],
        ['i', volume.kspace.im],
      ]) as never,
      shape: [...volume.kspace.shape],
      dtype: [
        ['r', '<f'],
        ['i', '<f'],
      ],
    });
    if (volume.reconstructionRss) file.create_dataset({ name: 'reconstruction_rss', data: volume.reconstructionRss.data, shape: [...volume.reconstructionRss.shape] });
    if (volume.reconstructionEsc) file.create_dataset({ name: 'reconstruction_esc', data: volume.reconstructionEsc.data, shape: [...volume.reconstructionEsc.shape] });
    if (volume.mask) file.create_dataset({ name: 'mask', data: volume.mask, shape: [volume.mask.length], dtype: '|b1' });
    for (const [name, value] of Object.entries(volume.attributes ?? {})) file.create_attribute(name, value);
  } catch (error) {
    file.close();
    rmSync(staging, { force: true });
    throw error;
  }
  file.close();
  renameSync(staging, target);
  return target;
}
