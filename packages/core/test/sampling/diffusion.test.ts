import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { Rng } from '../../src/rng/rng.js';
import { ddimSample, ddpmSample, edmStochasticSample, eulerSample, heunSample, type Denoiser, type DiffusionRun } from '../../src/sampling/diffusion/diffusion-samplers.js';
import { cumulativeProfile, karrasSigmas, profileQuantiles, profileSigmas, vpAlphasCumprod, vpSigmas } from '../../src/sampling/diffusion/sigma-schedules.js';
import { defaultSamplerRegistry } from '../../src/sampling/sampler-registry.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

// Data: a 1-D mixture 0.3·N(−2, 0.3²) + 0.7·N(1.5, 0.5²); its mean is 0.45 and variance 2.7745.
const W = [0.3, 0.7];
const MU = [-2, 1.5];
const S = [0.3, 0.5];

/** The exact denoiser E[x₀ | x] at noise σ: component posteriors times each component's Gaussian posterior mean. */
const exactDenoiser: Denoiser = (x, sigma) =>
  tf.tidy(() => {
    const logits = W.map((w, i) => {
      const v = S[i]! ** 2 + sigma ** 2;
      return tf.sub(Math.log(w) - 0.5 * Math.log(v), tf.div(tf.square(tf.sub(x, MU[i]!)), 2 * v));
    });
    const post = tf.softmax(tf.stack(logits, -1));
    const means = W.map((_, i) => tf.add(MU[i]!, tf.mul(tf.sub(x, MU[i]!), S[i]! ** 2 / (S[i]! ** 2 + sigma ** 2))));
    return tf.sum(tf.mul(post, tf.stack(means, -1)), -1);
  });

function stats(values: Float32Array) {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  const left = values.filter((v) => v < 0).length / n;
  return { mean, variance, left };
}

describe('σ schedules', () => {
  it('Karras: endpoints, ρ-spacing by hand, trailing zero', () => {
    const s = karrasSigmas(3, 0.002, 80, 7);
    expect(s[0]).toBeCloseTo(80, 10);
    expect(s[2]).toBeCloseTo(0.002, 12);
    expect(s[1]).toBeCloseTo(((80 ** (1 / 7) + 0.002 ** (1 / 7)) / 2) ** 7, 10);
    expect(s[3]).toBe(0);
  });
  it('VP: DDPM linear ᾱ by hand, cosine ᾱ decreasing to ~0, σ = √((1−ᾱ)/ᾱ)', () => {
    const a = vpAlphasCumprod('linear', 1000);
    expect(a[0]).toBeCloseTo(1 - 1e-4, 12);
    expect(a[1]).toBeCloseTo((1 - 1e-4) * (1 - (1e-4 + (0.02 - 1e-4) / 999)), 12);
    const c = vpAlphasCumprod('cosine', 1000);
    expect(c[999]!).toBeLessThan(1e-4);
    const sig = vpSigmas('linear', 10);
    expect(sig[0]).toBeCloseTo(Math.sqrt((1 - a[999]!) / a[999]!), 8);
    expect(sig[10]).toBe(0);
  });
  it('a profile-built schedule puts equal profile mass in every step', () => {
    const grid = Array.from({ length: 101 }, (_, i) => 10 * (1 - i / 100));
    const profile = grid.map((s) => Math.exp(-((s - 3) ** 2)));
    const sigmas = profileSigmas(grid, profile, 6);
    const cum = cumulativeProfile(profile);
    const massAt = (sigma: number) => {
      const pos = ((10 - sigma) / 10) * 100;
      const j = Math.min(Math.floor(pos), 99);
      return cum[j]! + (pos - j) * (cum[j + 1]! - cum[j]!);
    };
    const masses = Array.from({ length: 5 }, (_, i) => massAt(sigmas[i + 1]!) - massAt(sigmas[i]!));
    for (const m of masses) expect(m).toBeCloseTo(cum[100]! / 5, 6);
    expect(sigmas[6]).toBe(0);
    // Its own levels sit at quantiles 0, 0.2, …, 1 of the profile.
    Array.from(profileQuantiles(grid, profile, sigmas.subarray(0, 6))).forEach((q, i) => expect(q).toBeCloseTo(i / 5, 6));
    expect(() => profileSigmas([1, 2], [1, 1], 3)).toThrow(/strictly decreasing/);
  });
});

describe.each(TEST_BACKENDS)('diffusion samplers on %s recover a Gaussian mixture from its exact denoiser', (backend) => {
  beforeAll(async () => useBackend(backend));
  const sigmas = karrasSigmas(40, 0.002, 20, 7);
  const base = (seed: number): DiffusionRun => ({ denoise: exactDenoiser, shape: [4000], sigmas, rng: Rng.seeded(seed) });
  const cases: Array<[string, (run: DiffusionRun) => ReturnType<typeof eulerSample>, number]> = [
    ['Euler', eulerSample, 40],
    ['Heun', heunSample, 79],
    ['EDM stochastic (S_churn 40)', (run) => edmStochasticSample(run, { sChurn: 40, sTmin: 0.05, sTmax: 10, sNoise: 1.003 }), 79],
    ['DDIM η = 0', (run) => ddimSample(run, 0), 40],
    ['DDIM η = 0.5', (run) => ddimSample(run, 0.5), 40],
    // Ancestral steps use the posterior mean of x₀ as a point estimate, which is biased on coarse grids: DDPM gets 200.
    ['DDPM (ancestral, 200 steps)', (run) => ddpmSample({ ...run, sigmas: karrasSigmas(200, 0.002, 20, 7) }), 200],
  ];
  it.each(cases)('%s', async (_name, sample, nfe) => {
    const before = tf.memory().numTensors;
    const result = await sample(base(3));
    const values = result.sample.dataSync() as Float32Array;
    result.sample.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(result.nfe).toBe(nfe);
    const { mean, variance, left } = stats(values);
    expect(Math.abs(mean - 0.45)).toBeLessThan(0.08);
    expect(Math.abs(variance - 2.7745)).toBeLessThan(0.2);
    expect(Math.abs(left - 0.3)).toBeLessThan(0.03);
  }, 60_000);

  it('seeded replay is exact; a gate that excludes every step makes EDM equal Heun', async () => {
    const a = await edmStochasticSample(base(5), { sChurn: 10 });
    const b = await edmStochasticSample(base(5), { sChurn: 10 });
    const gated = await edmStochasticSample(base(5), { sChurn: 10, gate: { quantiles: Array.from({ length: 40 }, () => 0.9), low: 0.2, high: 0.5 } });
    const heun = await heunSample(base(5));
    expect(Array.from(a.sample.dataSync())).toEqual(Array.from(b.sample.dataSync()));
    expect(Array.from(gated.sample.dataSync())).toEqual(Array.from(heun.sample.dataSync()));
    expect(Array.from(a.sample.dataSync())).not.toEqual(Array.from(heun.sample.dataSync()));
    tf.dispose([a.sample, b.sample, gated.sample, heun.sample]);
  }, 60_000);

  it('the profile gate churns exactly at the steps whose quantile lies in [low, high]', async () => {
    // A profile over the schedule's own levels; churn noise is drawn only at gated steps, so the number of normal
    // draws (seen as the Rng's advance) tells which steps churned.
    const grid = Array.from(sigmas.subarray(0, 40));
    const quantiles = Array.from(profileQuantiles(grid, grid.map((s) => 1 / (1 + s)), grid));
    const inWindow = quantiles.filter((q) => q >= 0.3 && q <= 0.6).length;
    expect(inWindow).toBeGreaterThan(0);
    expect(inWindow).toBeLessThan(40);
    const rng = Rng.seeded(1);
    const steps: number[] = [];
    const denoise: Denoiser = (x, sigma, context) => exactDenoiser(x, sigma, context);
    const result = await edmStochasticSample(
      { denoise, shape: [2], sigmas, rng, onStep: (step) => steps.push(step) },
      { sChurn: 40, gate: { quantiles, low: 0.3, high: 0.6 } },
    );
    result.sample.dispose();
    expect(steps).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const reference = Rng.seeded(1);
    for (let i = 0; i < 2 * (1 + inWindow); i++) reference.normal();
    expect(rng.uniform()).toBe(reference.uniform());
  });

  it('self-conditioning passes the previous x̂₀ estimate from the second evaluation on', async () => {
    const seen: boolean[] = [];
    const denoise: Denoiser = (x, sigma, context) => {
      seen.push(context.selfCondition !== undefined);
      return exactDenoiser(x, sigma, context);
    };
    const result = await eulerSample({ denoise, shape: [8], sigmas: karrasSigmas(4), rng: Rng.seeded(0), selfCondition: true });
    result.sample.dispose();
    expect(seen).toEqual([false, true, true, true]);
  });
});

describe('diffusion samplers in the registry', () => {
  it('are created by name with a zod config', async () => {
    const registry = defaultSamplerRegistry();
    expect(registry.list().filter((s) => s.kind === 'diffusion').map((s) => s.name)).toEqual(['euler', 'heun', 'edm', 'ddim', 'ddpm', 'flow-euler', 'flow-renoise']);
    await useBackend('cpu');
    const sampler = registry.create<{ denoise: Denoiser; shape: number[] }, Promise<{ sample: tf.Tensor; nfe: number }>>('heun', { steps: 5, sigmaMax: 10 });
    const out = await sampler.sample({ denoise: exactDenoiser, shape: [3] }, { rng: Rng.seeded(1) });
    expect(out.nfe).toBe(9);
    out.sample.dispose();
    expect(() => registry.create('ddim', { eta: 2 })).toThrow(/eta/);
    expect(() => registry.create('edm', { churn: { sNoise: -1 } })).toThrow(/churn\.sNoise/);
  });
});
