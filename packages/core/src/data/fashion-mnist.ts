import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CheckpointError, InputError } from '../errors.js';

/** Where Debian's `dataset-fashion-mnist` package installs the IDX files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

export type FashionMnistSplit = 'train' | 't10k';

/** One split: `count` images of rows×cols bytes (0 = background), row-major, and their labels 0..9. */
export interface FashionMnistSplitData {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

const IDX_UBYTE = 0x08;

/**
 * Parses an IDX file (gzip or raw): magic = 0x0000 | type byte | number of dimensions, then one big-endian u32 per
 * dimension, then the data. Only unsigned-byte data is accepted (what (Fashion-)MNIST uses).
 */
export function parseIdx(bytes: Uint8Array, file: string): { dims: number[]; data: Uint8Array } {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? new Uint8Array(gunzipSync(bytes)) : bytes;
  if (raw.length < 4) throw new CheckpointError(file, 'too short for an IDX header', 0);
  if (raw[0] !== 0 || raw[1] !== 0) throw new CheckpointError(file, 'not an IDX file (bad magic)', 0);
  if (raw[2] !== IDX_UBYTE) throw new CheckpointError(file, `IDX data type 0x${raw[2]?.toString(16)} is not unsigned byte`, 2);
  const rank = raw[3] as number;
  const headerBytes = 4 + 4 * rank;
  if (rank < 1 || raw.length < headerBytes) throw new CheckpointError(file, `bad IDX rank ${rank}`, 3);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  if (raw.length - headerBytes !== size) {
    throw new CheckpointError(file, `IDX dims [${dims}] need ${size} data bytes, the file has ${raw.length - headerBytes}`, headerBytes);
  }
  return { dims, data: raw.subarray(headerBytes) };
}

/** Reads `<dir>/<split>-images-idx3-ubyte(.gz)` and the matching labels. */
export function readFashionMnist(split: FashionMnistSplit, dir: string = DEBIAN_FASHION_MNIST_DIR): FashionMnistSplitData {
  const imagesFile = findFile(dir, `${split}-images-idx3-ubyte`);
  const labelsFile = findFile(dir, `${split}-labels-idx1-ubyte`);
  const images = parseIdx(readFileSync(imagesFile), imagesFile);
  const labels = parseIdx(readFileSync(labelsFile), labelsFile);
  if (images.dims.length !== 3) throw new CheckpointError(imagesFile, `expected 3 IDX dims, got [${images.dims}]`);
  if (labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) {
    throw new CheckpointError(labelsFile, `expected ${images.dims[0]} labels, got dims [${labels.dims}]`);
  }
  const bad = labels.data.findIndex((l) => l > 9);
  if (bad >= 0) throw new CheckpointError(labelsFile, `label ${labels.data[bad]} at index ${bad} is not a class 0..9`);
  return {
    count: images.dims[0] as number,
    rows: images.dims[1] as number,
    cols: images.dims[2] as number,
    images: images.data,
    labels: labels.data,
  };
}

function findFile(dir: string, stem: string): string {
  for (const name of [`${stem}.gz`, stem]) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  throw new InputError(
    `Fashion-MNIST file ${stem}(.gz) not found in ${dir}; install the Debian package dataset-fashion-mnist or pass --data <dir>`,
  );
}
