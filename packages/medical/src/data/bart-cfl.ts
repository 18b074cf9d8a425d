import { existsSync, readFileSync, statSync } from 'node:fs';
import { CheckpointError, InputError, writeFileAtomic } from '@nextx/core';
import { checkComplexArray, sizeOf, type ComplexArray } from '../kspace/complex-array.js';

/**
 * BART's file pair: `<base>.hdr` (text: "# Dimensions" then the sizes d0 d1 … with d0 varying fastest) and
 * `<base>.cfl` (raw little-endian complex64, interleaved re, im). The ComplexArray's row-major shape is the dims
 * reversed (its last axis is d0), trailing 1s dropped.
 */
export interface CflArray {
  /** BART dimensions, d0 first (fastest). */
  readonly dims: readonly number[];
  readonly data: ComplexArray;
}

function baseOf(path: string): string {
  return path.replace(/\.(cfl|hdr)$/, '');
}

function trimmedDims(dims: readonly number[]): number[] {
  const out = [...dims];
  while (out.length > 1 && out[out.length - 1] === 1) out.pop();
  return out;
}

/** Reads `<base>.hdr` + `<base>.cfl` (either name or the base may be given); sizes are checked before reading. */
export function readCfl(path: string): CflArray {
  const base = baseOf(path);
  const hdr = `${base}.hdr`;
  const cfl = `${base}.cfl`;
  if (!existsSync(hdr)) throw new InputError(`BART header not found: ${hdr}`);
  if (!existsSync(cfl)) throw new InputError(`BART data file not found: ${cfl}`);
  const lines = readFileSync(hdr, 'utf8').split(/\r?\n/);
  const at = lines.findIndex((l) => l.trim() === '# Dimensions');
  if (at < 0) throw new CheckpointError(hdr, "no '# Dimensions' line");
  const dims = (lines[at + 1] ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
  if (!dims.length || dims.some((d) => !Number.isInteger(d) || d < 1)) throw new CheckpointError(hdr, `dimensions '${lines[at + 1] ?? ''}' are not positive integers`);
  const count = sizeOf(dims);
  const expected = count * 8;
  const actual = statSync(cfl).size;
  if (actual !== expected) throw new CheckpointError(cfl, `has ${actual} bytes; dimensions [${dims.join(' ')}] need ${expected} (complex64)`);
  const bytes = readFileSync(cfl);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const re = new Float32Array(count);
  const im = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    re[i] = view.getFloat32(8 * i, true);
    im[i] = view.getFloat32(8 * i + 4, true);
  }
  const trimmed = trimmedDims(dims);
  return { dims, data: { re, im, shape: [...trimmed].reverse() } };
}

/** Writes `<base>.hdr` and `<base>.cfl` atomically; dims default to the array's shape reversed. Returns the base. */
export function writeCfl(path: string, data: ComplexArray, dims?: readonly number[]): string {
  checkComplexArray(data, 'BART data');
  const d = dims ?? [...data.shape].reverse();
  if (sizeOf(d) !== data.re.length) throw new InputError(`BART dims [${d.join(' ')}] hold ${sizeOf(d)} values; the data has ${data.re.length}`);
  const base = baseOf(path);
  const bytes = new Uint8Array(data.re.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.re.length; i++) {
    view.setFloat32(8 * i, data.re[i] as number, true);
    view.setFloat32(8 * i + 4, data.im[i] as number, true);
  }
  writeFileAtomic(`${base}.cfl`, bytes);
  writeFileAtomic(`${base}.hdr`, `# Dimensions\n${d.join(' ')} \n`);
  return base;
}

/** BART dims of multi-coil k-space [C, H, W] without moving data: [W, H, 1, C] (d0 = our columns). */
export function kspaceCflDims(shape: readonly number[]): number[] {
  if (shape.length === 2) return [shape[1] as number, shape[0] as number];
  if (shape.length !== 3) throw new InputError(`k-space for BART must be [C, H, W] or [H, W]; got [${shape.join(', ')}]`);
  const [C, H, W] = shape as [number, number, number];
  return [W, H, 1, C];
}

/** A BART k-space or coil array [d0, d1, 1, C] (or [d0, d1]) as [C, d1, d0]. */
export function cflToKspace(cfl: CflArray, file = 'BART file'): ComplexArray {
  const [d0 = 1, d1 = 1, d2 = 1, d3 = 1, ...rest] = cfl.dims;
  if (d2 !== 1 || rest.some((d) => d !== 1)) throw new InputError(`${file}: dims [${cfl.dims.join(' ')}] are not 2-D multi-coil k-space [x, y, 1, coils]`);
  return { ...cfl.data, shape: [d3, d1, d0] };
}
