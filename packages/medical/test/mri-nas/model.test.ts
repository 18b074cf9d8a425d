import { beforeAll, describe, expect, it } from 'vitest';
import { tf, CategoricalSampler, ConfigError, InputError, Rng, type Sampler } from '@nextx/core';
import { LevelSet, MriNasModel, generateMriNasAll, parseMriNasConfig } from '../../src/index.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { TINY_CONFIG, tinyMeasurement, tinyModel } from '../helpers/tiny-model.js';

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);

describe('medical/mri-nas config', () => {
  it('names the field of a bad config', () => {
    expect(() => parseMriNasConfig({ accelerations: [8, 4, 2] })).toThrow(ConfigError);
    expect(() => parseMriNasConfig({ accelerations: [8, 4, 2] })).toThrow(/accelerations: must end with 1/);
    expect(() => parseMriNasConfig({ accelerations: [4, 8, 1] })).toThrow(/must decrease strictly/);
    expect(() => parseMriNasConfig({ imageSize: 60 })).toThrow(/imageSize: must be divisible by 8/);
  });
});

describe.each(TEST_BACKENDS)('medical/mri-nas model on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('the tokenizer shares one codebook and is additive over levels: decode(tokens)_k = x_m + D(Σ_{j≤k} e[z_j], C(x_m))', () => {
    const model = tinyModel();
    const m = tinyMeasurement();
    const full = toFull(m);
    const levels = LevelSet.prepare(model.config, { kspace: m.kspace, mask: m.mask }, Rng.seeded(2), full);
    const images = tf.expandDims(levels.images, 0) as tf.Tensor5D;
    const tokens = model.tokenizer.encode(images);
    expect(model.tokenizer.space).toEqual({ kind: 'multiscale', scales: [4, 4, 4], size: 16 });
    expect(tokens.map((t) => t.shape)).toEqual([[1, 16], [1, 16], [1, 16]]);
    const measured = tf.slice(levels.images, [0, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
    const decoded = model.tokenizer.decode(tokens, measured);
    const byHand = tf.tidy(() => {
      const sum = tf.add(model.tokenizer.lookup(tokens[0]!), model.tokenizer.lookup(tokens[1]!)) as tf.Tensor4D;
      return tf.add(measured, model.tokenizer.decoder.forward(sum, model.tokenizer.condEncoder.features(measured)));
    });
    const level1 = tf.tidy(() => tf.squeeze(tf.slice(decoded, [0, 1, 0, 0, 0], [1, 1, -1, -1, -1]), [1]));
    expect(maxDiff(level1, byHand)).toBeLessThan(1e-5);
    expect(model.tokenizer.namedParameters().filter(([name]) => name.includes('embedding')).length).toBe(1);
    tf.dispose([images, decoded, byHand, level1, measured, ...tokens, m.kspace.re, m.kspace.im, full.re, full.im]);
    levels.dispose();
    model.dispose();
  });

  it('normalizeLatent: the decoder sees f̂ / rms(f̂), so scaling f̂ changes nothing; without it, it does', () => {
    const fhat = tf.randomNormal([2, 4, 4, 4], 0, 0.01, 'float32', 5) as tf.Tensor4D;
    const scaled = tf.mul(fhat, 30) as tf.Tensor4D;
    const measured = tf.randomNormal([2, 16, 16, 2], 0, 1, 'float32', 6) as tf.Tensor4D;
    const normalized = new MriNasModel({ ...TINY_CONFIG, tokenizer: { ...TINY_CONFIG.tokenizer, normalizeLatent: true } });
    const plain = tinyModel();
    const decode = (m: MriNasModel, f: tf.Tensor4D) => m.tokenizer.decodeLatent(f, measured);
    const [a, b, c, d] = [decode(normalized, fhat), decode(normalized, scaled), decode(plain, fhat), decode(plain, scaled)];
    expect(maxDiff(a, b)).toBeLessThan(1e-5);
    expect(maxDiff(c, d)).toBeGreaterThan(1e-3);
    tf.dispose([fhat, scaled, measured, a, b, c, d]);
    normalized.dispose();
    plain.dispose();
  });

  it('teacher forcing is block-causal over levels: a later level input never changes earlier logits', () => {
    const model = tinyModel();
    const [B, hw, c] = [2, 16, 4];
    const fhats = tf.randomNormal([B, 2, hw, c], 0, 1, 'float32', 1) as tf.Tensor4D;
    const changed = tf.tidy(() => tf.concat([tf.slice(fhats, [0, 0, 0, 0], [-1, 1, -1, -1]), tf.randomNormal([B, 1, hw, c], 0, 1, 'float32', 9)], 1)) as tf.Tensor4D;
    const latent = tf.randomNormal([B, 4, 4, c], 0, 1, 'float32', 2) as tf.Tensor4D;
    const levels = tf.tensor1d([0, 1], 'int32');
    const a = model.transformer.forward(fhats, latent, levels);
    const b = model.transformer.forward(changed, latent, levels);
    const first = (t: tf.Tensor) => tf.slice(t, [0, 0, 0], [-1, hw, -1]);
    const second = (t: tf.Tensor) => tf.slice(t, [0, hw, 0], [-1, hw, -1]);
    expect(maxDiff(first(a), first(b))).toBe(0);
    expect(maxDiff(second(a), second(b))).toBeGreaterThan(1e-6);
    tf.dispose([fhats, changed, latent, levels, a, b]);
    model.dispose();
  });

  it('streams a level from the measured one to 1×, seeded, the same with and without the KV cache, and frees its tensors', async () => {
    const model = tinyModel();
    const m = tinyMeasurement(3);
    const before = tf.memory().numTensors;
    const request = { measurement: { kspace: m.kspace, mask: m.mask }, samples: 3 };
    const withCache = await generateMriNasAll(model, request, { seed: 7 });
    expect(tf.memory().numTensors).toBe(before);
    const again = await generateMriNasAll(model, request, { seed: 7 });
    const without = await generateMriNasAll(model, { ...request, kvCache: false }, { seed: 7 });
    expect(withCache.map((l) => l.acceleration)).toEqual([4, 2, 1]);
    expect(Math.max(...withCache[0]!.std)).toBeLessThan(1e-5); // the measured level is encoded, not drawn
    expect(Math.max(...withCache[2]!.std)).toBeGreaterThan(1e-4); // predicted levels differ between samples
    expect(withCache[2]!.samples).toHaveLength(3 * 256);
    expect(Array.from(again[2]!.mean)).toEqual(Array.from(withCache[2]!.mean));
    withCache.forEach((l, k) => expect(Math.max(...l.mean.map((v, p) => Math.abs(v - (without[k]!.mean[p] as number))))).toBeLessThan(1e-4));
    expect(withCache[2]!.seed).toBe(7);
    tf.dispose([m.kspace.re, m.kspace.im]);
    model.dispose();
  });

  it('draws the tokens with a passed sampler (instance or by name) and refuses one that is not categorical, or one with temperature/topK', async () => {
    const model = tinyModel();
    const m = tinyMeasurement(3);
    const request = { measurement: { kspace: m.kspace, mask: m.mask }, samples: 1 };
    const greedy = await generateMriNasAll(model, { ...request, temperature: 0 }, { seed: 7 });
    const byInstance = await generateMriNasAll(model, request, { seed: 7, sampler: new CategoricalSampler({ greedy: true }) });
    const byName = await generateMriNasAll(model, request, { seed: 7, sampler: { name: 'categorical', config: { greedy: true } } });
    const drawn = await generateMriNasAll(model, request, { seed: 7 });
    expect(Array.from(byInstance[2]!.mean)).toEqual(Array.from(greedy[2]!.mean));
    expect(Array.from(byName[2]!.mean)).toEqual(Array.from(greedy[2]!.mean));
    expect(Array.from(drawn[2]!.mean)).not.toEqual(Array.from(greedy[2]!.mean));
    const steps: number[] = [];
    const recording: Sampler<tf.Tensor2D, Int32Array> = {
      name: 'recording',
      kind: 'categorical',
      sample: (logits, context) => (steps.push(context.step ?? -1), new Int32Array(logits.shape[0])),
    };
    await generateMriNasAll(model, { ...request, samples: 2 }, { seed: 7, sampler: recording });
    expect(steps).toEqual([1, 2]); // the levels after the measured one (4×), each drawn once for both samples
    await expect(generateMriNasAll(model, request, { sampler: { name: 'bitwise' } })).rejects.toThrow(InputError);
    await expect(generateMriNasAll(model, request, { sampler: { name: 'bitwise' } })).rejects.toThrow(/medical\/mri-nas draws with a categorical sampler; sampler 'bitwise' is bitwise/);
    await expect(generateMriNasAll(model, { ...request, temperature: 0.5 }, { sampler: recording })).rejects.toThrow(/either options.sampler or the request's temperature\/topK, not both/);
    tf.dispose([m.kspace.re, m.kspace.im]);
    model.dispose();
  });

  it('refuses a measurement of the wrong size or at an acceleration that is not a level', () => {
    const model = tinyModel();
    const m = tinyMeasurement(4, 3);
    expect(() => LevelSet.prepare(model.config, { kspace: m.kspace, mask: m.mask }, Rng.seeded(0))).toThrow(/acceleration 3 is not an undersampled level of this model \(4, 2\)/);
    const big = { re: tf.zeros([4, 16, 32]), im: tf.zeros([4, 16, 32]) };
    expect(() => LevelSet.prepare(model.config, { kspace: big, mask: m.mask }, Rng.seeded(0))).toThrow(/measured k-space is 16×32; the model reconstructs 16×16/);
    tf.dispose([m.kspace.re, m.kspace.im, big.re, big.im]);
    model.dispose();
  });
});

function toFull(m: ReturnType<typeof tinyMeasurement>) {
  return { re: tf.tensor3d(m.acquisition.kspace.re, [4, 16, 16]), im: tf.tensor3d(m.acquisition.kspace.im, [4, 16, 16]) };
}
