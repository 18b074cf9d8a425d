import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { Rng } from '../../src/rng/rng.js';
import type { Denoiser, DenoiserInput } from '../../src/contracts/denoiser.js';
import { ddimSample, ddpmSample, edmStochasticSample, eulerSample, heunSample, type DiffusionRun } from '../../src/sampling/diffusion/diffusion-samplers.js';
import { cumulativeProfile, karrasSigmas, profileQuantiles, profileSigmas, vpAlphasCumprod, vpSigmas } from '../../src/sampling/diffusion/sigma-schedules.js';
import { defaultSamplerRegistry } from '../../src/sampling/sampler-registry.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

// Data: a 1-D mixture 0.3·N(−2, 0.3²) + 0.7·N(1.5, 0.5²); its mean is 0.45 and variance 2.7745.
const W = [0.3, 0.7];
const MU = [-2, 1.5];
const S = [0.3, 0.5];

/** The exact denoiser E[x₀ | x] at noise σ (a tensor broadcastable to x): component posteriors times each component's Gaussian posterior mean. */
const exactDenoiser: Denoiser = ({ x, sigma }) =>
  tf.tidy(() => {
    const s2 = tf.square(sigma);
    const logits = W.map((w, i) => {
      const v = tf.add(S[i]! ** 2, s2);
      return tf.sub(tf.sub(Math.log(w), tf.mul(0.5, tf.log(v))), tf.div(tf.square(tf.sub(x, MU[i]!)), tf.mul(2, v)));
    });
    const post = tf.softmax(tf.stack(logits, -1));
    const means = W.map((_, i) => tf.add(MU[i]!, tf.mul(tf.sub(x, MU[i]!), tf.div(S[i]! ** 2, tf.add(S[i]! ** 2, s2)))));
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
    const result = await edmStochasticSample(
      { denoise: exactDenoiser, shape: [2], sigmas, rng, onStep: (step) => steps.push(step) },
      { sChurn: 40, gate: { quantiles, low: 0.3, high: 0.6 } },
    );
    result.sample.dispose();
    expect(steps).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const reference = Rng.seeded(1);
    for (let i = 0; i < 2 * (1 + inWindow); i++) reference.normal();
    expect(rng.uniform()).toBe(reference.uniform());
  });

  it('self-conditioning carries the previous evaluation\'s x̂₀, and the output follows the Euler formula with it', async () => {
    // A linear denoiser that reads the carried estimate: D(x, σ, x̂) = x/(1 + σ²) + b·x̂ (x̂ = 0 when none is given).
    const b = 0.3;
    const sig = Array.from(karrasSigmas(5, 0.002, 10));
    const start = Rng.seeded(2).fillNormal(new Float32Array(6), 0, 10);
    const carried: Array<Float32Array | undefined> = [];
    const returned: Float32Array[] = [];
    const linear: Denoiser = ({ x, sigma, selfCondition }) => {
      carried.push(selfCondition ? (selfCondition.dataSync() as Float32Array).slice() : undefined);
      const x0 = tf.add(tf.div(x, tf.add(1, tf.square(sigma))), selfCondition ? tf.mul(selfCondition, b) : 0);
      returned.push((x0.dataSync() as Float32Array).slice());
      return x0;
    };
    // The same recursion on the host in float64: x̂₀ᵢ = xᵢ/(1 + σᵢ²) + b·x̂₀ᵢ₋₁, xᵢ₊₁ = xᵢ + (σᵢ₊₁ − σᵢ)(xᵢ − x̂₀ᵢ)/σᵢ.
    const formula = (withCarry: boolean, first = 0) =>
      Array.from(start, (x0) => {
        let [x, previous] = [x0, first];
        for (let i = 0; i < 5; i++) {
          const estimate = x / (1 + sig[i]! ** 2) + (withCarry ? b * previous : 0);
          x += ((sig[i + 1]! - sig[i]!) * (x - estimate)) / sig[i]!;
          previous = estimate;
        }
        return x;
      });
    const run = async (selfCondition: boolean, initialSelfCondition?: tf.Tensor) => {
      carried.length = 0;
      returned.length = 0;
      const initial = tf.tensor1d(start);
      const result = await eulerSample({ denoise: linear, shape: [6], sigmas: sig, rng: Rng.seeded(0), initial, selfCondition, ...(initialSelfCondition ? { initialSelfCondition } : {}) });
      const out = Array.from(result.sample.dataSync());
      tf.dispose([result.sample, initial]);
      return out;
    };
    const close = (actual: number[], expected: number[]) => actual.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(expected[i]!))));

    const before = tf.memory().numTensors;
    close(await run(true), formula(true));
    expect(carried[0]).toBeUndefined();
    for (let k = 1; k < 5; k++) expect(carried[k]).toEqual(returned[k - 1]);
    // The carried term matters: without self-conditioning the output is the formula without it, and differs.
    const plain = await run(false);
    close(plain, formula(false));
    expect(carried.every((c) => c === undefined)).toBe(true);
    expect(Math.max(...plain.map((v, i) => Math.abs(v - formula(true)[i]!)))).toBeGreaterThan(1e-2);
    // A given first estimate (CoBit passes zeros; here 2) is what the first evaluation sees.
    const first = tf.fill([6], 2);
    close(await run(true, first), formula(true, 2));
    expect(Array.from(carried[0]!)).toEqual(Array(6).fill(2));
    first.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('per-element σ: each row of a [steps + 1, 2, 1] schedule evolves as its own shared-schedule run; clean rows stay', async () => {
    const a = Array.from(karrasSigmas(12, 0.002, 20));
    const early = [5, 2, 0.5, 0]; // row 1 is clean after 3 steps, then frozen
    const rowB = [...early, ...Array(a.length - early.length).fill(0)];
    const schedule = tf.tensor3d(a.flatMap((s, i) => [s, rowB[i]!]), [a.length, 2, 1]);
    const noise = Rng.seeded(9).fillNormal(new Float32Array(2 * 300));
    const initialRow = (r: number, sigma0: number) => tf.tensor1d(noise.slice(r * 300, (r + 1) * 300).map((v) => v * sigma0));
    const samplers: Array<[string, (run: DiffusionRun) => ReturnType<typeof eulerSample>]> = [['Euler', eulerSample], ['Heun', heunSample], ['DDIM η = 0', (run) => ddimSample(run, 0)]];
    for (const [name, sample] of samplers) {
      const seen: Array<{ shape: number[]; sigma: number[]; step: number; numSteps: number }> = [];
      const watching: Denoiser = (input: DenoiserInput) => {
        seen.push({ shape: input.sigma.shape, sigma: Array.from(input.sigma.dataSync()), step: input.step, numSteps: input.numSteps });
        return exactDenoiser(input);
      };
      const [r0, r1] = [initialRow(0, a[0]!), initialRow(1, early[0]!)];
      const initial = tf.stack([r0, r1]);
      const both = await sample({ denoise: watching, shape: [2, 300], sigmas: schedule, rng: Rng.seeded(1), initial });
      const alone0 = await sample({ denoise: exactDenoiser, shape: [300], sigmas: a, rng: Rng.seeded(1), initial: r0 });
      const alone1 = await sample({ denoise: exactDenoiser, shape: [300], sigmas: early, rng: Rng.seeded(1), initial: r1 });
      const rows = both.sample.arraySync() as number[][];
      const [e0, e1] = [alone0.sample.dataSync(), alone1.sample.dataSync()];
      rows[0]!.forEach((v, i) => expect(Math.abs(v - e0[i]!), `${name} row 0`).toBeLessThan(1e-4));
      rows[1]!.forEach((v, i) => expect(Math.abs(v - e1[i]!), `${name} row 1`).toBeLessThan(1e-4));
      // The denoiser sees σ as [2, 1] (broadcastable to x), the schedule's level, and the step index and count.
      expect(seen[0]).toEqual({ shape: [2, 1], sigma: [Math.fround(a[0]!), 5], step: 0, numSteps: 12 });
      expect(seen.at(-1)!.step).toBe(11);
      expect(seen.every((s) => s.numSteps === 12)).toBe(true);
      expect(both.nfe).toBe(name === 'Heun' ? 23 : 12);
      tf.dispose([both.sample, alone0.sample, alone1.sample, r0, r1, initial]);
    }
    schedule.dispose();
  }, 60_000);

  it('per-element churn: only elements whose σ is in [S_tmin, S_tmax] get noise', async () => {
    // Row 0 runs from 20 (inside the window at most steps), row 1 stays below S_tmin = 1 throughout.
    const a = Array.from(karrasSigmas(10, 0.002, 20));
    const low = a.map((s) => s / 40);
    const schedule = tf.tensor3d(a.flatMap((s, i) => [s, low[i]!]), [a.length, 2, 1]);
    const noise = Rng.seeded(4).fillNormal(new Float32Array(2 * 50));
    const initial = tf.tensor2d([...noise.slice(0, 50).map((v) => v * a[0]!), ...noise.slice(50).map((v) => v * low[0]!)], [2, 50]);
    const run = { denoise: exactDenoiser, shape: [2, 50], sigmas: schedule, rng: Rng.seeded(3), initial };
    const churned = await edmStochasticSample(run, { sChurn: 20, sTmin: 1, sTmax: 50 });
    const heun = await heunSample({ ...run, rng: Rng.seeded(3) });
    const [c, h] = [churned.sample.arraySync() as number[][], heun.sample.arraySync() as number[][]];
    c[1]!.forEach((v, i) => expect(Math.abs(v - h[1]![i]!)).toBeLessThan(1e-5));
    expect(Math.max(...c[0]!.map((v, i) => Math.abs(v - h[0]![i]!)))).toBeGreaterThan(1e-2);
    tf.dispose([churned.sample, heun.sample, schedule, initial]);
  });

  it('returns the last evaluation\'s logits when the denoiser gives them, and frees the others', async () => {
    const withLogits: Denoiser = (input) => {
      const x0 = exactDenoiser(input) as tf.Tensor;
      return { x0, logits: tf.tidy(() => tf.add(tf.mul(x0, 10), input.step)) };
    };
    const before = tf.memory().numTensors;
    const result = await heunSample({ denoise: withLogits, shape: [5], sigmas: karrasSigmas(4, 0.01, 5), rng: Rng.seeded(6) });
    expect(result.logits).toBeDefined();
    // The last evaluation is step 3's (into σ = 0, no correction): logits = 10·x̂₀ + 3, and the Euler step into 0 lands on x̂₀.
    const [logits, sample] = [result.logits!.dataSync(), result.sample.dataSync()];
    sample.forEach((x, i) => expect(logits[i]!).toBeCloseTo(10 * x + 3, 3));
    tf.dispose([result.sample, result.logits!]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a schedule that rises, does not end at 0, or does not broadcast to the sample', async () => {
    const base = { denoise: exactDenoiser, rng: Rng.seeded(0) };
    const before = tf.memory().numTensors;
    const bad: Array<[tf.Tensor, number[], RegExp]> = [
      [tf.tensor2d([[3, 1], [4, 0], [0, 0]]), [2], /element 0 rises from 3 to 4 at level 1/],
      [tf.tensor2d([[3, 1], [1, 0.7], [0, 0.5]]), [2], /element 1 ends at 0.5/],
      [tf.tensor2d([[3, 1], [1, 0], [0, 0]]), [3], /levels \[2\] do not broadcast to the sample \[3\]/],
    ];
    for (const [sigmas, shape, message] of bad) {
      await expect(eulerSample({ ...base, sigmas, shape })).rejects.toThrow(message);
      sigmas.dispose();
    }
    await expect(eulerSample({ ...base, sigmas: [3, 1], shape: [2] })).rejects.toThrow(/end with 0/);
    expect(tf.memory().numTensors).toBe(before);
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
