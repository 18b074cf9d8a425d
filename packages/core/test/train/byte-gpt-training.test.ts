import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { generate } from '../../src/demo/byte-gpt/generate.js';
import { trainByteGpt, type TrainByteGptOptions } from '../../src/demo/byte-gpt/train.js';
import { DEMO_CORPUS } from '../../src/demo/demo-corpus.js';
import { useBackend } from '../helpers/backends.js';

/** Issue #3's done-when: d 64, 2 layers, seq 64, batch 8, 200 steps (about 10 s per run on wasm). */
const base = (dir: string): TrainByteGptOptions => ({
  corpus: new TextEncoder().encode(DEMO_CORPUS),
  model: { dim: 64, numLayers: 2, numHeads: 4, contextLength: 64, seed: 5 },
  batchSize: 8,
  trainer: {
    steps: 200,
    lr: 3e-3,
    schedule: { kind: 'cosine', warmupSteps: 10, minLr: 3e-4 },
    weightDecay: 0.1,
    clipNorm: 1,
    checkpointEvery: 100,
    logEvery: 20,
    seed: 2,
  },
  checkpointDir: join(dir, 'checkpoint'),
  metricsFile: join(dir, 'metrics.jsonl'),
});

// The cpu backend takes ~1.7 s per step of this model (vs ~40 ms on wasm), so the 200-step runs use wasm, the
// default backend; the cpu backend is checked on the first steps below.
describe('byte GPT training on wasm (issue #3)', () => {
  let root: string;
  beforeAll(async () => {
    await useBackend('wasm');
    root = mkdtempSync(join(tmpdir(), 'nextx-bytegpt-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('loses ≥ 40% of its loss in 200 steps, resumes exactly from step 100, and decodes the same with a KV cache', async () => {
    const baseline = tf.memory().numTensors;
    const straight = await trainByteGpt(base(join(root, 'straight')));
    const losses = straight.result.history.map((m) => m.loss);
    expect(losses).toHaveLength(200);
    const first = losses[0] as number;
    const last = losses.slice(-10).reduce((a, b) => a + b, 0) / 10;
    expect(first).toBeGreaterThan(5); // ≈ ln 256 at initialisation
    expect(last).toBeLessThanOrEqual(0.6 * first);

    const stopped = await trainByteGpt({ ...base(join(root, 'interrupted')), untilStep: 100 });
    expect(stopped.result.step).toBe(100);
    stopped.trainer.dispose();
    stopped.model.dispose();
    const resumed = await trainByteGpt({ ...base(join(root, 'interrupted')), resume: true });
    const tail = resumed.result.history;
    expect(tail[0]?.step).toBe(101);
    expect(tail.at(-1)?.step).toBe(200);
    expect(Math.abs((tail.at(-1)?.loss as number) - (losses[199] as number))).toBeLessThanOrEqual(1e-4);
    tail.forEach((m, i) => expect(Math.abs(m.loss - (losses[100 + i] as number))).toBeLessThanOrEqual(1e-4));
    resumed.trainer.dispose();
    resumed.model.dispose();

    // 100 greedy bytes from a 20-byte prompt: the 64-byte window slides twice.
    const prompt = new TextEncoder().encode('The keeper climbed t');
    const beforeGeneration = tf.memory().numTensors;
    const cached = await generate(straight.model, prompt, 100, { temperature: 0, useCache: true });
    const uncached = await generate(straight.model, prompt, 100, { temperature: 0, useCache: false });
    expect(tf.memory().numTensors).toBe(beforeGeneration);
    expect(Array.from(cached)).toEqual(Array.from(uncached));
    // a trained model writes mostly letters and spaces
    const text = new TextDecoder().decode(cached);
    expect((text.match(/[a-z ]/g) ?? []).length).toBeGreaterThan(80);
    straight.trainer.dispose();
    straight.model.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  }, 120_000);
});

describe('byte GPT training on cpu', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'nextx-bytegpt-cpu-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('takes the same first steps as on wasm', async () => {
    const losses: Record<string, number[]> = {};
    for (const backend of ['wasm', 'cpu'] as const) {
      await useBackend(backend);
      const options = base(join(root, backend));
      const run = await trainByteGpt({ ...options, trainer: { ...options.trainer, steps: 2 }, model: { ...options.model, numLayers: 1 } });
      losses[backend] = run.result.history.map((m) => m.loss);
      run.trainer.dispose();
      run.model.dispose();
    }
    expect(losses['cpu']).toHaveLength(2);
    losses['cpu']?.forEach((loss, i) => expect(Math.abs(loss - (losses['wasm']?.[i] as number))).toBeLessThanOrEqual(1e-4));
  }, 60_000);
});
