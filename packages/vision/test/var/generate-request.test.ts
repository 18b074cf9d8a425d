import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf, ConfigError, Rng, gumbelNoise } from '@nextx/core';
import { loadVar, type LoadedVar } from '../../src/var/load.js';
import { generateVar, generateVarAll } from '../../src/var/generate.js';
import { moreSmoothTemperature, smoothCodeMixture } from '../../src/var/more-smooth.js';
import { fixtureFile } from '../helpers/fixture.js';
import { useBackend } from '../helpers/backends.js';

const sampled = { classes: [3, 7], cfg: 1.5, topK: 0, topP: 0 };

describe('generateVar: request validation, seeds, more_smooth (var-tiny-a, 10 classes)', () => {
  let model: LoadedVar;
  beforeAll(async () => {
    await useBackend('wasm');
    model = await loadVar({ vae: fixtureFile('vae.safetensors'), var: fixtureFile('var.safetensors'), config: fixtureFile('config.json') });
  });
  afterAll(() => model.dispose());

  it.each([
    [{ classes: [1], cfg: 'x' }, 'cfg'],
    [{ classes: [1], cfg: Number.NaN }, 'cfg'],
    [{ classes: [1], cfg: Number.POSITIVE_INFINITY }, 'cfg'],
    [{ classes: [1], cfg: -1 }, 'cfg'],
    [{ classes: [1], topK: 2.5 }, 'topK'],
    [{ classes: [1], topK: -1 }, 'topK'],
    [{ classes: [1], topP: 1.5 }, 'topP'],
    [{ classes: [1, 10] }, 'classes.1'],
    [{ classes: [0.5] }, 'classes.0'],
    [{ classes: [] }, 'classes'],
    [{ batchSize: 0 }, 'batchSize'],
    [{ batchSize: 1.5 }, 'batchSize'],
    [{ classes: [1, 2], batchSize: 3 }, 'batchSize'],
    [{ classes: [1], top_k: 5 }, '(root)'],
    [{ classes: [1], moreSmooth: 'yes' }, 'moreSmooth'],
  ])('%j is refused before any work, naming %s', (request, field) => {
    const before = tf.memory().numTensors;
    const events: unknown[] = [];
    let error: unknown;
    try {
      generateVar(model, request as never, { seed: 0, onProgress: (e) => events.push(e) });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(`- ${field}:`);
    expect(events).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the error shows the value given, NaN included (JSON would print null)', () => {
    expect(() => generateVar(model, { classes: [1], cfg: Number.NaN })).toThrow(/- cfg: .*; got NaN$/m);
  });

  it('without a seed every generation draws a fresh one, reports it in every chunk, and the reported seed repeats it', async () => {
    const first = await generateVarAll(model, sampled);
    const second = await generateVarAll(model, sampled);
    const seeds = [first, second].map((scales) => scales[0]!.seed);
    for (const scales of [first, second]) expect(new Set(scales.map((s) => s.seed)).size).toBe(1);
    expect(seeds[0]).not.toBe(seeds[1]);
    const tokensOf = (scales: typeof first) => scales.map((s) => Array.from(s.tokens));
    expect(tokensOf(first)).not.toEqual(tokensOf(second));
    const again = await generateVarAll(model, sampled, { seed: seeds[0]! });
    expect(again[0]!.seed).toBe(seeds[0]);
    expect(tokensOf(again)).toEqual(tokensOf(first));
    expect(Array.from(again.at(-1)!.image!.data)).toEqual(Array.from(first.at(-1)!.image!.data));
    // An Rng passed in is the caller's: there is no seed to report.
    expect((await generateVarAll(model, sampled, { seed: Rng.seeded(1) }))[0]!.seed).toBeUndefined();
  }, 60_000);

  it('more_smooth with top-k 1 leaves one codeword per position (the filtered logits feed the mixture): as without it', async () => {
    const greedy = { ...sampled, topK: 1 };
    const plain = await generateVarAll(model, greedy, { seed: 5 });
    const smooth = await generateVarAll(model, { ...greedy, moreSmooth: true }, { seed: 5 });
    expect(smooth.map((s) => Array.from(s.tokens))).toEqual(plain.map((s) => Array.from(s.tokens)));
    const a = plain.at(-1)!.image!.data;
    const b = smooth.at(-1)!.image!.data;
    expect(Math.max(...a.map((v, i) => Math.abs(v - (b[i] as number))))).toBeLessThan(1e-5);
  }, 60_000);

  it('more_smooth without filtering feeds a mixture: same scale-0 tokens, a different image, no tensor left', async () => {
    const plain = await generateVarAll(model, sampled, { seed: 5 });
    const before = tf.memory().numTensors;
    const smooth = await generateVarAll(model, { ...sampled, moreSmooth: true, kvCache: false }, { seed: 5 });
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(smooth[0]!.tokens)).toEqual(Array.from(plain[0]!.tokens));
    const a = plain.at(-1)!.image!.data;
    const b = smooth.at(-1)!.image!.data;
    expect(Math.max(...a.map((v, i) => Math.abs(v - (b[i] as number))))).toBeGreaterThan(1e-2);
  }, 60_000);

  it('the mixture is softmax((ℓ·(1 + r) + g)/τ)·E with τ = max(0.27·(1 − 0.95 r), 0.005), by hand on the host', () => {
    expect(moreSmoothTemperature(0)).toBeCloseTo(0.27, 12);
    expect(moreSmoothTemperature(1)).toBeCloseTo(0.27 * 0.05, 12);
    expect(moreSmoothTemperature(1.1)).toBe(0.005);
    const [n, v, c, ratio] = [3, 5, 2, 0.4];
    const logits = Float32Array.from({ length: n * v }, (_, i) => Math.sin(i) * 0.3);
    logits[4] = Number.NEGATIVE_INFINITY; // a token cut by top-k gets no weight
    const codebook = Float32Array.from({ length: v * c }, (_, i) => Math.cos(i));
    const got = tf.tidy(() => smoothCodeMixture(tf.tensor2d(logits, [n, v]), ratio, tf.tensor2d(codebook, [v, c]), Rng.seeded(8)).dataSync());
    const noise = tf.tidy(() => gumbelNoise([n, v], Rng.seeded(8)).dataSync());
    const tau = moreSmoothTemperature(ratio);
    for (let row = 0; row < n; row++) {
      const z = Array.from({ length: v }, (_, j) => ((logits[row * v + j] as number) * (1 + ratio) + (noise[row * v + j] as number)) / tau);
      const top = Math.max(...z);
      const e = z.map((x) => Math.exp(x - top));
      const total = e.reduce((s, x) => s + x, 0);
      for (let ch = 0; ch < c; ch++) {
        const expected = e.reduce((s, w, j) => s + (w / total) * (codebook[j * c + ch] as number), 0);
        expect(got[row * c + ch]).toBeCloseTo(expected, 4);
      }
    }
  });
});
