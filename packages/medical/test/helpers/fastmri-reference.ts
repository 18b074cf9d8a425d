import { readFileSync } from 'node:fs';

/** The fastmri-reference fixture (test/fixtures/fastmri-reference, made by its make_fixture.py from fastMRI's code). */
const dir = new URL('../fixtures/fastmri-reference/', import.meta.url);

export interface StoredArray {
  readonly offset: number;
  readonly shape: number[];
}

export interface FastmriReference {
  readonly metrics: { name: string; target: StoredArray; prediction: StoredArray; nmse: number; psnr: number; ssim: number }[];
  readonly masks: { kind: string; numCols: number; acceleration: number; centerFraction: number; offset?: number; numLowFrequencies: number; columns: number[] }[];
  readonly fft: {
    shape: number[];
    re: StoredArray;
    im: StoredArray;
    fft2c: { re: StoredArray; im: StoredArray };
    ifft2c: { re: StoredArray; im: StoredArray };
    rss: StoredArray;
  }[];
}

let values: Float32Array | undefined;

export const reference: FastmriReference = JSON.parse(readFileSync(new URL('cases.json', dir), 'utf8')) as FastmriReference;

export function stored(array: StoredArray): Float32Array {
  if (!values) {
    const bytes = readFileSync(new URL('values.f32', dir));
    values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }
  const n = array.shape.reduce((a, b) => a * b, 1);
  return values.slice(array.offset, array.offset + n);
}
