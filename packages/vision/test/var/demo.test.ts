import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@nextx/core';
import { varDemo } from '../../src/var/demo.js';
import { classGridFigure } from '../../src/var/fashion-mnist-recipe.js';
import { useBackend } from '../helpers/backends.js';

const out = mkdtempSync(join(tmpdir(), 'nextx-var-demo-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('vision demo', () => {
  beforeAll(async () => useBackend('wasm'));

  it('samples one row per class from the bundled Fashion-MNIST checkpoint into a grid PNG', async () => {
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
  }, 60_000);
});
