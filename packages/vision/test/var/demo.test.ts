import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@nextx/core';
import { varDemo } from '../../src/var/demo.js';
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
    expect([png.width, png.height]).toEqual([8 * 34 + 2, 10 * 34 + 2]);
    // Garments are bright on a black background: each tile has both dark and bright pixels.
    const tile = (row: number, col: number) => {
      const values: number[] = [];
      for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) values.push(png.data[((2 + row * 34 + y) * png.width + 2 + col * 34 + x) * 4]!);
      return values;
    };
    for (const [row, col] of [[0, 0], [1, 3], [9, 7]] as const) {
      const values = tile(row, col);
      expect(Math.min(...values)).toBeLessThan(40);
      expect(Math.max(...values)).toBeGreaterThan(150);
    }
  }, 60_000);
});
