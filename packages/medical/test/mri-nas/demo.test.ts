import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf, disposeFftCache, type CliContext } from '@nextx/core';
import { plugin } from '../../src/index.js';
import { useBackend } from '../helpers/backends.js';

const out = mkdtempSync(join(tmpdir(), 'nextx-mri-demo-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const context: CliContext = { out, json: false, signal: new AbortController().signal, onProgress: () => undefined, log: () => undefined };

/** PSNR and SSIM of one "NMSE … PSNR … dB SSIM …" group of the demo's summary. */
function scores(summary: string, label: string): { psnr: number; ssim: number } {
  const match = new RegExp(`${label} NMSE [\\d.]+  PSNR ([\\d.]+) dB  SSIM ([\\d.]+)`).exec(summary);
  if (!match) throw new Error(`no '${label}' metrics in: ${summary}`);
  return { psnr: Number(match[1]), ssim: Number(match[2]) };
}

describe('nextx demo (medical)', () => {
  beforeAll(() => useBackend('wasm'));

  it('the bundled checkpoint reconstructs a held-out slice at 8×, level by level, better than zero-filling, and writes the figure', async () => {
    disposeFftCache(); // FFT twiddles are cached across calls (core signal/fft-cache.ts); counted without them
    const before = tf.memory().numTensors;
    const result = await plugin.demo!(context);
    disposeFftCache();
    expect(tf.memory().numTensors).toBe(before);
    expect(result.files.map((f) => f.slice(out.length + 1))).toEqual(['reconstruction.png', 'level-0-8x.png', 'level-1-4x.png', 'level-2-2x.png', 'level-3-1x.png']);
    for (const file of result.files) expect(Array.from(readFileSync(file).subarray(0, 4))).toEqual([137, 80, 78, 71]);
    const zeroFilled = scores(result.summary, 'zero-filled');
    const model = scores(result.summary, 'model at 1×');
    // the bundled checkpoint: +1.0 dB and +0.09 SSIM on this slice (README); an untrained or broken one is at zero-filling
    expect(model.psnr).toBeGreaterThan(zeroFilled.psnr + 0.5);
    expect(model.ssim).toBeGreaterThan(zeroFilled.ssim + 0.05);
  }, 120_000);
});
