import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import type { ProgressEvent } from '../../src/contracts/events.js';
import { runCoreDemo } from '../../src/demo/core-demo.js';
import { renderLossPlot, smooth } from '../../src/demo/loss-plot.js';
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
    const png = PNG.sync.read(readFileSync(join(out, 'loss.png')));
    expect([png.width, png.height]).toEqual([640, 360]);
    expect(readMetrics(join(out, 'metrics.jsonl')).map((m) => m.step)).toEqual([1, 2, 3, 4]);
    expect(existsSync(join(out, 'checkpoint', 'model.safetensors'))).toBe(true);
    expect(events.filter((e) => e.stage === 'train').map((e) => e.completed)).toEqual([1, 2, 3, 4]);
    expect(events.filter((e) => e.stage === 'generate')).toHaveLength(60);
    expect(logs.join()).toMatch(/loss .* → /);
  }, 60_000);

  it('draws the loss curve inside the plot area', () => {
    const image = renderLossPlot([4, 3, 2, 1], { width: 100, height: 80 });
    expect(image.data.length).toBe(100 * 80 * 3);
    const pixel = (x: number, y: number) => Array.from(image.data.subarray((y * 100 + x) * 3, (y * 100 + x) * 3 + 3));
    // margins: left 56, right 16, top 16, bottom 32 → the first loss (the maximum) is at (56, 16), the last at (84, 48)
    expect(pixel(84, 48)).not.toEqual([255, 255, 255]);
    expect(pixel(70, 20)).toEqual([255, 255, 255]);
    expect(smooth([2, 2, 2])).toEqual([2, 2, 2].map(() => expect.closeTo(2, 12)));
  });
});
