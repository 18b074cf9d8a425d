import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import type { ProgressEvent } from '../../src/contracts/events.js';
import { runCoreDemo } from '../../src/demo/core-demo.js';
import { smooth } from '../../src/figures/smooth.js';
import { readMetrics } from '../../src/train/metrics-log.js';
import { useBackend } from '../helpers/backends.js';

describe('core demo', () => {
  let out: string;
  beforeAll(async () => {
    await useBackend('wasm');
    out = mkdtempSync(join(tmpdir(), 'nextx-demo-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('trains, and writes samples, a loss plot, metrics and a checkpoint', async () => {
    const events: ProgressEvent[] = [];
    const logs: string[] = [];
    const before = tf.memory().numTensors;
    const result = await runCoreDemo(
      { out, json: false, signal: new AbortController().signal, onProgress: (e) => events.push(e), log: (m) => logs.push(m) },
      { steps: 4, sampleBytes: 20 },
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(result.files).toEqual(['samples.txt', 'loss.png', 'metrics.jsonl', 'checkpoint'].map((f) => join(out, f)));
    expect(result.summary).toMatch(/trained 4 steps/);
    const samples = readFileSync(join(out, 'samples.txt'), 'utf8');
    expect(samples).toContain('--- prompt: "The keeper "');
    expect(samples.split('--- prompt').length).toBe(4);
    // the training curve of core's figure helpers, at PNG scale 2: a 480 × 280 plot with axes and a title around it
    const png = PNG.sync.read(readFileSync(join(out, 'loss.png')));
    expect(png.width).toBeGreaterThan(2 * 480);
    expect(png.height).toBeGreaterThan(2 * 280);
    expect(readMetrics(join(out, 'metrics.jsonl')).map((m) => m.step)).toEqual([1, 2, 3, 4]);
    expect(existsSync(join(out, 'checkpoint', 'model.safetensors'))).toBe(true);
    expect(events.filter((e) => e.stage === 'train').map((e) => e.completed)).toEqual([1, 2, 3, 4]);
    expect(events.filter((e) => e.stage === 'generate')).toHaveLength(60);
    expect(logs.join()).toMatch(/loss .* → /);
  }, 60_000);

  it('smooths a loss curve as TensorBoard does (bias-corrected exponential average)', () => {
    expect(smooth([2, 2, 2])).toEqual([2, 2, 2].map(() => expect.closeTo(2, 12)));
    // weight 0.5: averages 0.5·4 = 2 → /(1 − 0.5) = 4; 0.5·2 + 0.5·2 = 2 → /(1 − 0.25) = 8/3
    expect(smooth([4, 2], 0.5)).toEqual([expect.closeTo(4, 12), expect.closeTo(8 / 3, 12)]);
  });
});
