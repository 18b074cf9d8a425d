import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitImage } from '../../src/data/fit-image.js';
import { loadImageFolder } from '../../src/data/image-folder.js';
import { openTrainingData } from '../../src/data/training-data.js';
import { useBackend } from '../helpers/backends.js';
import { toyPixel, writeToyFolder } from '../helpers/toy-images.js';

const root = mkdtempSync(join(tmpdir(), 'nextx-images-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const toValue = (byte: number) => (byte / 255) * 2 - 1;

describe('fitting images to the model size', () => {
  beforeAll(async () => useBackend('wasm'));

  it('centres a smaller image on black, keeps the centre square of a non-square one', () => {
    const image = { pixels: Float32Array.from({ length: 10 * 6 }, (_, i) => i / 100), height: 10, width: 6, channels: 1 };
    const out = fitImage(image, 8);
    // rows 2..7 of the 10×6 image (the centre 6×6), shifted by one pixel into an 8×8 of −1
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const inside = y >= 1 && y < 7 && x >= 1 && x < 7;
        const expected = inside ? ((y - 1 + 2) * 6 + (x - 1)) / 100 : -1;
        expect(out[y * 8 + x]).toBeCloseTo(expected, 6);
      }
    }
  });

  it('shrinks a larger image by averaging each block (area)', () => {
    const image = { pixels: Float32Array.from({ length: 16 * 16 * 3 }, (_, i) => Math.sin(i)), height: 16, width: 16, channels: 3 };
    const out = fitImage(image, 8);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) sum += Math.sin(((2 * y + dy) * 16 + 2 * x + dx) * 3 + c);
          expect(out[(y * 8 + x) * 3 + c]).toBeCloseTo(sum / 4, 5);
        }
      }
    }
  });
});

describe('training data from --data', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    writeToyFolder(join(root, 'gray'), { perClass: 5, sizeOf: (i) => (i % 2 ? 16 : 8) });
    writeToyFolder(join(root, 'rgb'), { classes: 2, perClass: 3, rgb: true });
    writeToyFolder(join(root, 'split', 'train'), { classes: 2, perClass: 4 });
    writeToyFolder(join(root, 'split', 'test'), { classes: 2, perClass: 2 });
  });

  it('reads a folder of PNGs: classes from sub-folder names, gray when every PNG is, fitted to the size', async () => {
    const gray = await loadImageFolder(join(root, 'gray'), { size: 8 });
    expect(gray.classes).toEqual(['class0', 'class1', 'class2', 'class3']);
    expect(Array.from(gray.labels)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]);
    expect(gray.channels).toBe(1);
    const third = gray.files.indexOf(join(root, 'gray', 'class3', 'img2.png')); // an 8×8 image: kept as it is
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) expect(gray.pixels[third * 64 + y * 8 + x]).toBeCloseTo(toValue(toyPixel(3, 2, x, y, 8)), 6);
    const rgb = await loadImageFolder(join(root, 'rgb'), { size: 8 });
    expect(rgb.channels).toBe(3);
    expect(Array.from(rgb.pixels.subarray(0, 3))).toEqual([toValue(255), toValue(0), toValue(255)].map((v) => expect.closeTo(v, 6)));
  });

  it('holds out a seeded fifth of a folder at most, disjoint from the training images and the same on every run', async () => {
    const open = (seed: number) => openTrainingData(join(root, 'gray'), { size: 8, heldOutImages: 100, seed });
    const data = await open(1);
    expect([data.kind, data.train.count, data.heldOut.count, data.channels]).toEqual(['image-folder', 16, 4, 1]);
    const images = (set: typeof data.train) => Array.from({ length: set.count }, (_, i) => Array.from(set.pixels([i])).join());
    const all = new Set([...images(data.train), ...images(data.heldOut)]);
    expect(all.size).toBe(20); // every toy image differs: the splits are disjoint and cover the folder
    expect(images((await open(1)).heldOut)).toEqual(images(data.heldOut));
    expect(images((await open(2)).heldOut)).not.toEqual(images(data.heldOut));
    const few = await openTrainingData(join(root, 'gray'), { size: 8, heldOutImages: 2, trainImages: 5, seed: 1 });
    expect([few.train.count, few.heldOut.count]).toEqual([5, 2]);
  });

  it('uses train/ and test/ inside the folder as the splits', async () => {
    const data = await openTrainingData(join(root, 'split'), { size: 8, heldOutImages: 100, seed: 0 });
    expect(data.classes).toEqual(['class0', 'class1']);
    expect([data.train.count, data.heldOut.count]).toEqual([8, 4]);
  });

  it('reads Fashion-MNIST IDX files, padded to the model size', async () => {
    const dir = join(root, 'idx');
    mkdirSync(dir);
    const idx = (dims: number[], data: Uint8Array) => {
      const header = new Uint8Array(4 + 4 * dims.length);
      header.set([0, 0, 0x08, dims.length]);
      dims.forEach((d, i) => new DataView(header.buffer).setUint32(4 + 4 * i, d, false));
      return gzipSync(Buffer.concat([header, data]));
    };
    for (const split of ['train', 't10k']) {
      writeFileSync(join(dir, `${split}-images-idx3-ubyte.gz`), idx([3, 28, 28], Uint8Array.from({ length: 3 * 784 }, (_, i) => i % 251)));
      writeFileSync(join(dir, `${split}-labels-idx1-ubyte.gz`), idx([3], Uint8Array.from([4, 0, 9])));
    }
    const data = await openTrainingData(dir, { size: 32, heldOutImages: 2, seed: 0 });
    expect([data.kind, data.classes.length, data.train.count, data.heldOut.count, data.channels]).toEqual(['fashion-mnist', 10, 3, 2, 1]);
    const pixels = data.train.pixels([0]);
    expect(pixels[0]).toBe(-1); // padding
    expect(pixels[2 * 32 + 2]).toBeCloseTo(toValue(0), 6);
    expect(pixels[2 * 32 + 3]).toBeCloseTo(toValue(1), 6);
    await expect(openTrainingData(dir, { size: 16, heldOutImages: 2, seed: 0 })).rejects.toThrow(/28×28: the model's image size \(16\) must be at least 28/);
    await expect(openTrainingData(join(root, 'nowhere'), { size: 8, heldOutImages: 2, seed: 0 })).rejects.toThrow(/--data .*nowhere: folder not found/);
  });
});
