import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KVCache, Rng, causalMask, tf } from '@nextx/core';
import { parseBitlmConfig } from '../../src/bitlm/config.js';
import { generateBitlm } from '../../src/bitlm/generate.js';
import { BitLm } from '../../src/bitlm/model.js';
import { bitlmLoss, prepareBitlmBatch } from '../../src/bitlm/train.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const tiny = (blockSize: number) =>
  parseBitlmConfig({ vocabSize: 40, blockSize, transformer: { dim: 16, depth: 2, heads: 2, contextLength: 32 }, head: { dim: 8, depth: 1, heads: 2, contentDim: 4, hidden: 8 } });

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => Math.max(...tf.abs(tf.sub(a, b)).dataSync());

describe.each(TEST_BACKENDS)('BitLM on %s', (backend) => {
  beforeAll(async () => useBackend(backend));

  it('block mask: each position sees its own block and every earlier one, nothing later', () => {
    const model = new BitLm(tiny(3), Rng.seeded(1));
    const mask = model.backbone.mask(7).arraySync() as number[][];
    for (let p = 0; p < 7; p++) for (let q = 0; q < 7; q++) expect(mask[p]?.[q], `${p}→${q}`).toBe(Math.floor(q / 3) <= Math.floor(p / 3) ? 0 : -Infinity);
    model.dispose();
  });

  it('decoding block by block through the KV cache equals recomputing the whole prefix, and full-sequence states equal prefix recomputation', () => {
    const before = tf.memory().numTensors;
    const model = new BitLm(tiny(4), Rng.seeded(2));
    const ids = tf.tensor2d(Array.from({ length: 2 * 16 }, (_, i) => (i * 7 + 3) % 40), [2, 16], 'int32');
    tf.tidy(() => {
      const full = model.backbone.forward(ids);
      const cache = new KVCache(model.config.transformer.depth);
      for (let j = 0; j < 4; j++) {
        const block = tf.slice(ids, [0, j * 4], [2, 4]);
        const cached = model.backbone.forward(block, cache);
        expect(maxDiff(cached, tf.slice(full, [0, j * 4, 0], [2, 4, 16])), `block ${j} cached vs full`).toBeLessThan(1e-5);
        // A prefix of whole blocks run alone: its states are those of the full run (no leakage from later blocks).
        const prefix = model.backbone.forward(tf.slice(ids, [0, 0], [2, (j + 1) * 4]));
        expect(maxDiff(prefix, tf.slice(full, [0, 0, 0], [2, (j + 1) * 4, 16])), `prefix ${j}`).toBeLessThan(1e-5);
      }
      cache.dispose();
    });
    ids.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('100 generations leave no tensor behind once the first has built the rotary tables', async () => {
    const model = new BitLm(tiny(2), Rng.seeded(4));
    await generateBitlm(model, { batch: 1, length: 4, rng: Rng.seeded(0), startId: 1, sampler: { steps: 2, schedule: 'karras' } });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) await generateBitlm(model, { batch: 1, length: 4, rng: Rng.seeded(i), startId: 1, sampler: { steps: 2, schedule: 'karras' } });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('generation with the KV cache writes the same ids as recomputing the prefix at every block', async () => {
    const before = tf.memory().numTensors;
    const model = new BitLm(tiny(4), Rng.seeded(3));
    const cached = await generateBitlm(model, { batch: 2, length: 12, rng: Rng.seeded(5), startId: 1, sampler: { steps: 4, schedule: 'karras' } });
    const recomputed = await generateBitlm(model, { batch: 2, length: 12, rng: Rng.seeded(5), startId: 1, sampler: { steps: 4, schedule: 'karras' }, noCache: true });
    expect(Array.from(cached.ids)).toEqual(Array.from(recomputed.ids));
    expect(cached.headCalls).toBe(3 * 4);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('k = 1 is autoregression with a bit head: causal mask, and each token denoised from the state of the token before', () => {
    const model = new BitLm(tiny(1), Rng.seeded(4));
    tf.tidy(() => {
      expect(model.backbone.mask(6).arraySync()).toEqual(causalMask(6).arraySync());
      const ids = tf.tensor2d([[5, 9, 2, 33, 7, 1]], [1, 6], 'int32');
      // One pass: conditions of all 6 context positions; AR reference: the decoder on each prefix alone, its last state.
      const conditions = model.conditions(ids);
      expect(conditions.shape).toEqual([6, 1, 8]);
      for (let t = 1; t <= 6; t++) {
        const prefix = model.conditions(tf.slice(ids, [0, 0], [1, t]));
        expect(maxDiff(tf.slice(conditions, [t - 1, 0, 0], [1, 1, 8]), tf.slice(prefix, [t - 1, 0, 0], [1, 1, 8])), `token ${t}`).toBeLessThan(1e-5);
      }
      // The head's bit logits for token t + 1 read only that state: the one-pass loss equals a per-token loop.
      const x = tf.randomUniform([6, model.blockBits], 0, 1, 'float32', 7);
      const sigma = tf.fill([6], 0.7);
      const onePass = model.denoiser(conditions).logits(x, sigma, tf.zerosLike(x));
      for (let t = 0; t < 6; t++) {
        const single = model.denoiser(tf.slice(conditions, [t, 0, 0], [1, 1, 8])).logits(tf.slice(x, [t, 0], [1, model.blockBits]), tf.fill([1], 0.7), tf.zeros([1, model.blockBits]));
        expect(maxDiff(tf.slice(onePass, [t, 0], [1, model.blockBits]), single)).toBeLessThan(1e-5);
      }
    });
    model.dispose();
  });

  it('a training step of the one-pass loss leaves no tensors behind and has a gradient for every parameter', () => {
    const before = tf.memory().numTensors;
    const model = new BitLm(tiny(2), Rng.seeded(6));
    const rng = Rng.seeded(8);
    const windows = Int32Array.from({ length: 3 * 10 }, () => rng.int(0, 39));
    const batch = prepareBitlmBatch(model, windows, 3, rng);
    expect(batch.targets.rows).toBe(3 * 4);
    const { value, grads } = tf.variableGrads(() => bitlmLoss(model, batch));
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(Object.keys(grads).length).toBe(model.parameters().length);
    tf.dispose([value, ...Object.values(grads)]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

afterAll(() => undefined);
