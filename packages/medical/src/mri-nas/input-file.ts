import { extname } from 'node:path';
import { tf, InputError, Rng, type ComplexTensor } from '@nextx/core';
import { toComplexArray, toComplexTensor, type ComplexArray } from '../kspace/complex-array.js';
import { sampleMask, type CartesianMask, type MaskKind } from '../kspace/cartesian-mask.js';
import { undersample } from '../kspace/data-consistency.js';
import { rss } from '../kspace/rss.js';
import { imageToKspace, kspaceToImage } from '../kspace/transforms.js';
import { cflToKspace, readCfl } from '../data/bart-cfl.js';
import { brainSlicesOf } from '../data/brain-slices.js';
import { readFastmriSlice } from '../data/fastmri-h5.js';
import { readNiftiVolume } from '../data/nifti-volume.js';
import { centerCrop, resampleArea, type RealImage } from '../data/resample.js';
import { simulateAcquisition, type AcquisitionOptions } from '../data/simulate-acquisition.js';
import { levelCenterFraction, type MriNasConfig } from './config.js';

/** A measurement ready for the model, with its ground truth when the input allows one. */
export interface PreparedInput {
  /** Zero-filled measured k-space [C, N, N]; the caller disposes it. */
  readonly measured: ComplexTensor;
  readonly mask: CartesianMask;
  /** The fully sampled RSS at the model's matrix (absent for an undersampled file). */
  readonly target?: RealImage;
  readonly description: string;
}

export interface InputOptions {
  readonly acceleration: number;
  readonly slice?: number;
  readonly maskKind?: MaskKind;
  readonly seed: number;
  readonly acquisition?: AcquisitionOptions;
}

/**
 * Reads what `nextx generate medical/mri-nas --input` accepts: a fastMRI .h5 file (kspace, one slice), a BART .cfl
 * (k-space [x, y, 1, coils]) or a NIfTI image volume (.nii/.nii.gz: an axial slice turned into a simulated
 * multi-coil acquisition). Fully sampled k-space of another matrix is brought to the model's N×N as a lower-resolution
 * acquisition of the same field of view (coil images centre-cropped to a square and area-resampled), then undersampled
 * at `acceleration` with a fastMRI mask. Undersampled input (an .h5 with a `mask`, a .cfl with empty columns) must have
 * the model's matrix and is used as measured.
 */
export async function readInput(path: string, config: MriNasConfig, options: InputOptions): Promise<PreparedInput> {
  const lower = path.toLowerCase();
  const kind = lower.endsWith('.nii.gz') ? '.nii' : extname(lower);
  if (kind === '.h5') {
    const slice = await readFastmriSlice(path, options.slice === undefined ? {} : { slice: options.slice });
    const what = `${path} slice ${slice.slice} of ${slice.numSlices} (${slice.kspace.shape[0]} coils, ${slice.kspace.shape[1]}×${slice.kspace.shape[2]})`;
    if (slice.mask) return asMeasured(slice.kspace, slice.mask, config, options, what);
    return fromFullKspace(slice.kspace, config, options, what);
  }
  if (kind === '.cfl' || kind === '.hdr') {
    const kspace = cflToKspace(readCfl(path), path);
    const measuredColumns = measuredColumnsOf(kspace);
    const what = `${path} (${kspace.shape[0]} coils, ${kspace.shape[1]}×${kspace.shape[2]})`;
    if (measuredColumns.some((m) => m === 0)) return asMeasured(kspace, measuredColumns, config, options, what);
    return fromFullKspace(kspace, config, options, what);
  }
  if (kind === '.nii') {
    const slices = brainSlicesOf(readNiftiVolume(path), config.imageSize, 0.05, 0.3, path);
    const index = options.slice ?? Math.floor(slices.images.length / 2);
    if (!Number.isInteger(index) || index < 0 || index >= slices.images.length) throw new InputError(`${path}: slice ${index} is outside the ${slices.images.length} axial slices kept (0…${slices.images.length - 1})`);
    const acquisition = simulateAcquisition(slices.images[index] as RealImage, options.acquisition ?? {}, Rng.seeded(options.seed));
    const input = fromFullKspace(acquisition.kspace, config, options, `${path} axial slice z = ${slices.z[index]} (simulated ${acquisition.kspace.shape[0]}-coil acquisition)`);
    return { ...input, target: acquisition.target };
  }
  throw new InputError(`--input must be a fastMRI .h5, a BART .cfl/.hdr or a NIfTI .nii/.nii.gz file; got '${path}'`);
}

/** 1 for every column with a nonzero sample in any coil and row. */
function measuredColumnsOf(k: ComplexArray): Uint8Array {
  const [C, H, W] = k.shape as [number, number, number];
  const out = new Uint8Array(W);
  for (let c = 0; c < C; c++) for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) if (k.re[(c * H + i) * W + j] || k.im[(c * H + i) * W + j]) out[j] = 1;
  return out;
}

function asMeasured(kspace: ComplexArray, columns: Uint8Array, config: MriNasConfig, options: InputOptions, what: string): PreparedInput {
  const [, H, W] = kspace.shape as [number, number, number];
  const n = config.imageSize;
  if (H !== n || W !== n) throw new InputError(`${what} is undersampled, so it cannot be resampled: the model reconstructs ${n}×${n}`);
  const mask: CartesianMask = { columns, numLowFrequencies: 0, acceleration: options.acceleration };
  return { measured: toComplexTensor(kspace), mask, description: `${what}, measured as given (${columns.reduce((a, b) => a + b, 0)} of ${W} columns)` };
}

/** Coil images centre-cropped to a square and area-resampled to N×N, back to k-space; then undersampled. */
function fromFullKspace(kspace: ComplexArray, config: MriNasConfig, options: InputOptions, what: string): PreparedInput {
  const n = config.imageSize;
  const [C, H, W] = kspace.shape as [number, number, number];
  const resized = H === n && W === n ? kspace : resampleKspace(kspace, n);
  const R = options.acceleration;
  const mask = sampleMask(n, { kind: options.maskKind ?? 'random', acceleration: R, centerFraction: levelCenterFraction(config, R) }, Rng.seeded(options.seed + 1));
  const { measured, target } = tf.tidy(() => {
    const full = toComplexTensor(resized);
    return { measured: undersample(full, mask), target: rss(kspaceToImage(full)) };
  });
  const image = { data: Float32Array.from(target.dataSync() as Float32Array), height: n, width: n };
  target.dispose();
  return { measured, mask, target: image, description: `${what}${resized === kspace ? '' : `, resampled to ${n}×${n}`}, undersampled ${R}× (${C} coils)` };
}

function resampleKspace(kspace: ComplexArray, n: number): ComplexArray {
  const [C, H, W] = kspace.shape as [number, number, number];
  const side = Math.min(H, W);
  const coilImages = tf.tidy(() => kspaceToImage(toComplexTensor(kspace)));
  const host = toComplexArray(coilImages);
  tf.dispose([coilImages.re, coilImages.im]);
  const re = new Float32Array(C * n * n);
  const im = new Float32Array(C * n * n);
  for (let c = 0; c < C; c++) {
    const part = (data: Float32Array) => resampleArea(centerCrop({ data: data.subarray(c * H * W, (c + 1) * H * W), height: H, width: W }, side, side), n, n).data;
    re.set(part(host.re), c * n * n);
    im.set(part(host.im), c * n * n);
  }
  const k = tf.tidy(() => imageToKspace(toComplexTensor({ re, im, shape: [C, n, n] })));
  const out = toComplexArray(k);
  tf.dispose([k.re, k.im]);
  return out;
}
