import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf, readHostWeights } from '@nextx/core';
import { varDemo } from '../../src/var/demo.js';
import { classGridFigure } from '../../src/var/fashion-mnist-recipe.js';
import { useBackend } from '../helpers/backends.js';

const out = mkdtempSync(join(tmpdir(), 'nextx-var-demo-'));
const classMeans = readHostWeights(fileURLToPath(new URL('../fixtures/fashion-mnist-class-means/class-means.safetensors', import.meta.url))).get('means')!.values;

/** The class whose mean training image (32×32 in [0, 1]) is nearest in squared distance. */
function nearestMean(image: readonly number[]): number {
  const plane = image.length;
  let best = -1;
  let bestDistance = Infinity;
  for (let c = 0; c < 10; c++) {
    let distance = 0;
    for (let p = 0; p < plane; p++) distance += ((image[p] as number) - (classMeans[c * plane + p] as number)) ** 2;
    if (distance < bestDistance) [best, bestDistance] = [c, distance];
  }
  return best;
}

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('vision demo', () => {
  beforeAll(async () => useBackend('wasm'));

  it('samples one row per class from the bundled Fashion-MNIST checkpoint into a grid PNG, each row looking like its class', async () => {
    const before = tf.memory().numTensors;
    const result = await varDemo({ out, json: true, signal: new AbortController().signal, onProgress: () => undefined, log: () => undefined });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.files).toEqual([join(out, 'fashion-mnist-samples.png')]);
    const png = PNG.sync.read(readFileSync(result.files[0]!));
    // Where the grid figure puts each 32×32 sample (SVG pixels; the PNG is drawn at scale 2).
    const cells = classGridFigure(Array.from({ length: 80 }, () => ({ data: new Float32Array(32 * 32), height: 32, width: 32, channels: 1 as const })), 8).cells;
    expect(png.width).toBeGreaterThan(2 * (cells[7]!.x + cells[7]!.width));
    expect(png.height).toBeGreaterThan(2 * (cells[79]!.y + cells[79]!.height));
    // Garments are bright on a black background: each tile has both dark and bright pixels.
    const tile = (row: number, col: number) => {
      const { x, y, width } = cells[row * 8 + col]!;
      const zoom = width / 32;
      const values: number[] = [];
      for (let py = 0; py < 32; py++) for (let px = 0; px < 32; px++) values.push(png.data[((2 * (y + py * zoom)) * png.width + 2 * (x + px * zoom)) * 4]!);
      return values;
    };
    for (const [row, col] of [[0, 0], [1, 3], [9, 7]] as const) {
      const values = tile(row, col);
      expect(Math.min(...values)).toBeLessThan(40);
      expect(Math.max(...values)).toBeGreaterThan(150);
      // just left of the tile: the white gap between images
      const { x, y } = cells[row * 8 + col]!;
      expect(png.data[(2 * (y + 16) * png.width + 2 * x - 1) * 4]).toBe(255);
    }
    // The samples are class-conditional: row c (class c) looks like class c of the training data. The nearest-class-mean
    // rule against the 10 mean training images (scripts/make-class-means.ts) labels 67 % of the real test images
    // right (Shirt only 21 %); chance is 10 %.
    const samples = Array.from({ length: 10 }, (_, row) => Array.from({ length: 8 }, (_, col) => tile(row, col).map((v) => v / 255)));
    const labelled = (rowOf: (c: number) => number) => samples.flatMap((row, c) => row.filter((image) => nearestMean(image) === rowOf(c))).length;
    expect(labelled((c) => c)).toBeGreaterThanOrEqual(0.6 * 80);
    // The check can fail: the same samples under labels shifted by one class score about chance.
    expect(labelled((c) => (c + 1) % 10)).toBeLessThan(0.25 * 80);
    // Per class, the centroid of its 8 samples is nearest its own mean (one miss allowed: Shirt, the class the rule
    // itself confuses with T-shirt, Pullover and Coat).
    const centroidHits = samples.filter((row, c) => nearestMean(row[0]!.map((_, p) => row.reduce((s, image) => s + (image[p] as number), 0) / row.length)) === c);
    expect(centroidHits.length).toBeGreaterThanOrEqual(9);
  }, 60_000);
});
