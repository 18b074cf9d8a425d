import { beforeEach, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { ConfigError, InputError, AbortError } from '../../src/errors.js';
import { KVCache } from '../../src/cache/kv-cache.js';
import { ByteGpt } from '../../src/demo/byte-gpt/model.js';
import { generate, type ByteSampler } from '../../src/demo/byte-gpt/generate.js';
import { CategoricalSampler } from '../../src/sampling/categorical-sampler.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const small = { dim: 32, numLayers: 2, numHeads: 4, contextLength: 24, seed: 3 };

describe.each(TEST_BACKENDS)('byte GPT on %s', (backend) => {
  beforeEach(async () => {
    await useBackend(backend);
  });

  it('has nanoGPT state-dict names and shapes, and rejects a bad config', () => {
    const model = new ByteGpt(small);
    const shapes = model.stateDictShapes();
    expect(shapes['wte.weight']).toEqual([256, 32]);
    expect(shapes['wpe.weight']).toEqual([24, 32]);
    expect(shapes['h.1.attn.c_attn.weight']).toEqual([96, 32]);
    expect(shapes['h.1.attn.c_proj.bias']).toEqual([32]);
    expect(shapes['h.0.mlp.fc1.weight']).toEqual([128, 32]);
    expect(shapes['ln_f.weight']).toEqual([32]);
    expect(shapes['lm_head.weight']).toEqual([256, 32]);
    expect(shapes['lm_head.bias']).toBeUndefined();
    model.dispose();
    expect(() => new ByteGpt({ dim: 30, numHeads: 4 })).toThrow(ConfigError);
  });

  it('is causal: logits at position t do not depend on later bytes', () => {
    const model = new ByteGpt(small);
    const a = tf.tensor2d([[72, 101, 108, 108, 111, 33]], undefined, 'int32');
    const b = tf.tensor2d([[72, 101, 108, 0, 200, 7]], undefined, 'int32');
    const la = model.forward(a);
    const lb = model.forward(b);
    const head = (t: tf.Tensor) => Array.from(tf.tidy(() => tf.slice(t, [0, 0, 0], [1, 3, -1])).dataSync());
    const tail = (t: tf.Tensor) => Array.from(tf.tidy(() => tf.slice(t, [0, 3, 0], [1, 1, -1])).dataSync());
    head(lb).forEach((v, i) => expect(v).toBeCloseTo(head(la)[i] as number, 5));
    expect(tail(la)).not.toEqual(tail(lb));
    expect(() => model.forward(tf.zeros([1, 25], 'int32'))).toThrow(InputError);
    tf.dispose([a, b, la, lb]);
    model.dispose();
  });

  it('gives the same logits with a KV cache as over the whole sequence', () => {
    const model = new ByteGpt(small);
    const ids = [84, 104, 101, 32, 115, 101, 97];
    const full = model.forward(tf.tensor2d([ids], undefined, 'int32'));
    const cache = new KVCache(2);
    const prefix = model.forward(tf.tensor2d([ids.slice(0, 4)], undefined, 'int32'), cache);
    const steps = ids.slice(4).map((id) => model.forward(tf.tensor2d([[id]], undefined, 'int32'), cache));
    const incremental = tf.concat([prefix, ...steps], 1);
    const a = full.dataSync();
    const b = incremental.dataSync();
    let worst = 0;
    a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (b[i] as number)))));
    expect(worst).toBeLessThan(1e-4);
    expect(cache.nextPosition).toBe(7);
    cache.dispose();
    tf.dispose([full, prefix, ...steps, incremental]);
    model.dispose();
  });

  it('generates the same bytes with and without the cache (across window slides) and frees its tensors', async () => {
    const model = new ByteGpt(small);
    const prompt = new TextEncoder().encode('Wind from the');
    const before = tf.memory().numTensors;
    const greedyCached = await generate(model, prompt, 40, { temperature: 0 });
    const greedyPlain = await generate(model, prompt, 40, { temperature: 0, useCache: false });
    expect(Array.from(greedyCached)).toEqual(Array.from(greedyPlain));
    const sampledCached = await generate(model, prompt, 30, { temperature: 1, seed: 4 });
    const sampledPlain = await generate(model, prompt, 30, { temperature: 1, seed: 4, useCache: false });
    expect(Array.from(sampledCached)).toEqual(Array.from(sampledPlain));
    expect(tf.memory().numTensors).toBe(before);
    expect(model.training).toBe(true);
    model.dispose();
  });
});

describe('byte sampling', () => {
  it('hands the last logits to a src/sampling sampler with the seeded Rng', async () => {
    await useBackend('wasm');
    const model = new ByteGpt(small);
    const prompt = new TextEncoder().encode('abc');
    const seen: number[][] = [];
    const lastRow: ByteSampler = {
      name: 'spy',
      kind: 'categorical',
      sample: (logits) => {
        seen.push([...logits.shape]);
        return Int32Array.of(65 + seen.length);
      },
    };
    expect(new TextDecoder().decode(await generate(model, prompt, 3, { sampler: lastRow }))).toBe('BCD');
    expect(seen).toEqual([[1, 256], [1, 256], [1, 256]]);
    const greedy = await generate(model, prompt, 8, { temperature: 0 });
    const viaSampler = await generate(model, prompt, 8, { sampler: new CategoricalSampler({ greedy: true }) });
    expect(Array.from(viaSampler)).toEqual(Array.from(greedy));
    const a = await generate(model, prompt, 8, { temperature: 1, topK: 5, seed: 9 });
    const b = await generate(model, prompt, 8, { temperature: 1, topK: 5, seed: 9 });
    expect(Array.from(a)).toEqual(Array.from(b));
    model.dispose();
  });

  it('stops generating when the signal fires', async () => {
    await useBackend('wasm');
    const model = new ByteGpt(small);
    const controller = new AbortController();
    const run = generate(model, Uint8Array.of(65), 50, {
      signal: controller.signal,
      onProgress: (e) => {
        if (e.completed === 3) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    await expect(generate(model, new Uint8Array(0), 5)).rejects.toBeInstanceOf(InputError);
    model.dispose();
  });
});
