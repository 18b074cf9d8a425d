import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { Rng } from '../../src/rng/rng.js';
import { InputError } from '../../src/errors.js';
import { flowEulerSample, flowRenoiseSample, flowTimesteps, type FlowDenoiser } from '../../src/sampling/diffusion/flow-matching.js';
import { defaultSamplerRegistry } from '../../src/sampling/sampler-registry.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

// Data N(μ, s²): x_t = (1 − t)·x₀ + t·ε is N((1 − t)μ, (1 − t)²s² + t²), and E[x₀ | x_t] is linear in x_t.
const MU = 1.5;
const S = 0.5;
const exact: FlowDenoiser = ({ x, t }) =>
  tf.tidy(() => {
    const a = tf.sub(1, t);
    const variance = tf.add(tf.mul(tf.square(a), S * S), tf.square(t));
    return tf.add(MU, tf.mul(tf.div(tf.mul(a, S * S), variance), tf.sub(x, tf.mul(a, MU))));
  });

describe('flow timesteps', () => {
  it('are even from tMax, shifted as SD3, and end at 0', () => {
    expect(Array.from(flowTimesteps(4))).toEqual([1, 0.75, 0.5, 0.25, 0]);
    const shifted = flowTimesteps(2, { shift: 3 });
    expect(shifted[0]).toBeCloseTo(1, 12);
    expect(shifted[1]).toBeCloseTo((3 * 0.5) / (1 + 2 * 0.5), 12);
    expect(flowTimesteps(2, { tMax: 0.5 })[0]).toBe(0.5);
    expect(() => flowTimesteps(0)).toThrow(InputError);
  });
});

describe.each(TEST_BACKENDS)('flow-matching samplers on %s', (backend) => {
  let baseline = 0;
  beforeEach(async () => {
    await useBackend(backend);
    baseline = tf.memory().numTensors;
  });
  afterEach(() => expect(tf.memory().numTensors).toBe(baseline));

  it('Euler with the exact denoiser follows the ODE to first order: noise z at t = 1 lands on μ + s·z', async () => {
    const z = Float32Array.from([-1.5, -0.3, 0, 0.8, 2]);
    const initial = tf.tensor1d(z);
    const worstError = async (steps: number) => {
      const { sample, nfe } = await flowEulerSample({ denoise: exact, shape: [5], timesteps: flowTimesteps(steps), rng: Rng.seeded(0), initial });
      const out = sample.dataSync();
      sample.dispose();
      expect(nfe).toBe(steps);
      return Math.max(...Array.from(z, (v, i) => Math.abs((out[i] as number) - (MU + S * v))));
    };
    const coarse = await worstError(50);
    const fine = await worstError(400);
    initial.dispose();
    expect(fine).toBeLessThan(4e-3);
    expect(coarse / fine).toBeGreaterThan(6); // error ∝ 1/steps: 8× the steps, about 8× less error
    expect(coarse / fine).toBeLessThan(10);
  });

  it('takes a v2 denoiser output: x̂₀ with logits steps as x̂₀ alone, and the last evaluation’s logits come back', async () => {
    const initial = tf.tensor1d([0.3, -1.2, 2]);
    let calls = 0;
    const withLogits: FlowDenoiser = (input) => {
      calls++;
      return { x0: exact(input) as tf.Tensor, logits: tf.fill([2], calls) };
    };
    const bare = await flowEulerSample({ denoise: exact, shape: [3], timesteps: flowTimesteps(3), rng: Rng.seeded(0), initial });
    const rich = await flowEulerSample({ denoise: withLogits, shape: [3], timesteps: flowTimesteps(3), rng: Rng.seeded(0), initial });
    expect(Array.from(rich.sample.dataSync())).toEqual(Array.from(bare.sample.dataSync()));
    expect(bare.logits).toBeUndefined();
    expect(Array.from(rich.logits?.dataSync() ?? [])).toEqual([3, 3]);
    tf.dispose([initial, bare.sample, rich.sample, rich.logits as tf.Tensor]);
  });

  it('re-noising draws fresh noise at each level and returns the last estimate', async () => {
    const seen: number[][] = [];
    const half: FlowDenoiser = ({ x, t }) => {
      seen.push([...x.dataSync(), t.dataSync()[0] as number]);
      return tf.mul(x, 0.5);
    };
    const rng = Rng.seeded(7);
    const initial = tf.tensor1d([2, -4]);
    const { sample } = await flowRenoiseSample({ denoise: half, shape: [2], timesteps: [1, 0.6, 0], rng, initial });
    // Step 1: x̂₀ = [1, −2]; x' = 0.4·x̂₀ + 0.6·ε with ε the first two normals of the same stream.
    const eps = Rng.seeded(7).fillNormal(new Float32Array(2));
    const expected = [0.4 * 1 + 0.6 * (eps[0] as number), 0.4 * -2 + 0.6 * (eps[1] as number)];
    expect(seen[1]?.[0]).toBeCloseTo(expected[0] as number, 5);
    expect(seen[1]?.[1]).toBeCloseTo(expected[1] as number, 5);
    expect(seen[1]?.[2]).toBeCloseTo(0.6, 6);
    expect(sample.dataSync()[0]).toBeCloseTo((expected[0] as number) * 0.5, 5);
    expect(sample.dataSync()[1]).toBeCloseTo((expected[1] as number) * 0.5, 5);
    tf.dispose([initial, sample]);
  });

  it('are registered by name and refuse bad schedules before any evaluation', async () => {
    const registry = defaultSamplerRegistry();
    expect(registry.list().map((s) => s.name)).toEqual(expect.arrayContaining(['flow-euler', 'flow-renoise']));
    const sampler = registry.create<{ denoise: FlowDenoiser; shape: number[] }, Promise<{ sample: tf.Tensor; nfe: number }>>('flow-euler', { steps: 3 });
    const point: FlowDenoiser = ({ x }) => tf.fill(x.shape, 0.25);
    const { sample, nfe } = await sampler.sample({ denoise: point, shape: [4] }, { rng: Rng.seeded(1) });
    expect(nfe).toBe(3);
    Array.from(sample.dataSync()).forEach((v) => expect(v).toBeCloseTo(0.25, 5)); // a point mass is reached exactly
    sample.dispose();
    let calls = 0;
    const counting: FlowDenoiser = ({ x }) => (calls++, tf.clone(x));
    await expect(flowEulerSample({ denoise: counting, shape: [1], timesteps: [1, 0.5], rng: Rng.seeded(0) })).rejects.toThrow(/end with 0/);
    await expect(flowEulerSample({ denoise: counting, shape: [1], timesteps: [0.5, 0.7, 0], rng: Rng.seeded(0) })).rejects.toThrow(/decreasing/);
    expect(calls).toBe(0);
    expect(() => registry.create('flow-renoise', { steps: 0 })).toThrow(/steps/);
  });

  it('stops at an aborted signal without leaking', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(flowRenoiseSample({ denoise: exact, shape: [3], timesteps: flowTimesteps(4), rng: Rng.seeded(0), signal: controller.signal })).rejects.toThrow();
  });
});
