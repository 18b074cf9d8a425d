import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, tf } from '@nextx/core';
import { parseArConfig } from '../../src/ar/config.js';
import { generateAr } from '../../src/ar/generate.js';
import { ArModel } from '../../src/ar/model.js';
import { generativePerplexity, meanUnigramEntropy, unigramEntropy } from '../../src/metrics/text-metrics.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const config = parseArConfig({ vocabSize: 50, transformer: { dim: 16, depth: 2, heads: 2, contextLength: 32 } });

describe.each(TEST_BACKENDS)('text/ar on %s', (backend) => {
  beforeAll(async () => useBackend(backend));

  it('KV-cache decoding gives the logits and ids of recomputing the prefix', async () => {
    const before = tf.memory().numTensors;
    const model = new ArModel(config, Rng.seeded(1));
    const cached = await generateAr(model, { batch: 2, length: 10, startId: 3, rng: Rng.seeded(9) });
    const recomputed = await generateAr(model, { batch: 2, length: 10, startId: 3, rng: Rng.seeded(9), noCache: true });
    expect(Array.from(cached)).toEqual(Array.from(recomputed));
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('100 generations leave no tensor behind once the first has built the rotary tables', async () => {
    const model = new ArModel(config, Rng.seeded(3));
    await generateAr(model, { batch: 1, length: 4, startId: 3, rng: Rng.seeded(0) });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) await generateAr(model, { batch: 1, length: 4, startId: 3, rng: Rng.seeded(i) });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('a model with a zero head is uniform: GenPPL = V; NLL of windows is ln V per target', () => {
    const model = new ArModel(config, Rng.seeded(2));
    tf.tidy(() => model.lmHead.weight.assign(tf.zerosLike(model.lmHead.weight)));
    const samples = [Array.from({ length: 12 }, (_, i) => i), Array.from({ length: 12 }, (_, i) => 49 - i)];
    const ppl = generativePerplexity(model, samples);
    expect(ppl.perplexity).toBeCloseTo(50, 3);
    expect(ppl.tokens).toBe(2 * 11);
    const meanNll = tf.tidy(() => tf.mean(model.windowNll(Int32Array.from(samples.flat()), 2)).dataSync()[0] as number);
    expect(meanNll).toBeCloseTo(Math.log(50), 4);
    expect(() => generativePerplexity(model, [[1, 60]])).toThrow(/outside the reference vocabulary of 50/);
    model.dispose();
  });
});

describe('unigram entropy', () => {
  it('is −Σ p ln p of a sample’s token frequencies', () => {
    expect(unigramEntropy([7, 7, 7, 7])).toBe(0);
    expect(unigramEntropy([1, 2, 3, 4])).toBeCloseTo(Math.log(4), 12);
    expect(unigramEntropy([1, 1, 2, 3])).toBeCloseTo(-(0.5 * Math.log(0.5) + 2 * 0.25 * Math.log(0.25)), 12);
    expect(meanUnigramEntropy([[1, 1], [1, 2]])).toBeCloseTo(Math.log(2) / 2, 12);
  });
});
