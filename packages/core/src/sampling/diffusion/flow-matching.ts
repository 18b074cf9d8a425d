import { z } from 'zod';
import { tf } from '../../tf.js';
import { InputError, throwIfAborted } from '../../errors.js';
import { parseConfig } from '../../config/parse-config.js';
import type { Rng } from '../../rng/rng.js';
import type { Sampler, SamplerContext, SamplerFactory } from '../../contracts/sampler.js';
import type { DenoiserOutput } from '../../contracts/denoiser.js';
import type { DiffusionResult } from './diffusion-samplers.js';

/** What a flow sampler hands its denoiser at one evaluation (the flow counterpart of `DenoiserInput`). */
export interface FlowDenoiserInput {
  /** The noisy sample x_t = (1 − t)·x₀ + t·ε. */
  readonly x: tf.Tensor;
  /** The level t ∈ [0, 1], a tensor broadcastable to x (one level, or one per frame or token). */
  readonly t: tf.Tensor;
  /** 0-based sampler step and the number of steps. */
  readonly step: number;
  readonly numSteps: number;
}

/**
 * A flow-matching (rectified flow) denoiser: it returns x̂₀ (a velocity model v̂ ≈ ε − x₀ gives x̂₀ = x_t − t·v̂),
 * bare or with logits as in contract v2's `DenoiserOutput`. The level is `t`, not the variance-exploding σ of
 * `Denoiser` (σ = t / (1 − t) maps one onto the other). The sampler owns what is returned and runs the call in its
 * own tidy scope; the input tensors are the sampler's.
 */
export type FlowDenoiser = (input: FlowDenoiserInput) => tf.Tensor | DenoiserOutput;

export interface FlowTimestepOptions {
  /**
   * SD3's time shift: t ↦ shift·t / (1 + (shift − 1)·t). Above 1 the steps crowd the noisy end (default 1: even).
   */
  readonly shift?: number;
  /** Where the run starts (default 1: pure noise). */
  readonly tMax?: number;
}

/** `steps` levels from tMax down, evenly spaced then shifted, followed by 0: [t₀ > t₁ > … > t_steps = 0]. */
export function flowTimesteps(steps: number, options: FlowTimestepOptions = {}): Float64Array {
  const shift = options.shift ?? 1;
  const tMax = options.tMax ?? 1;
  if (!Number.isInteger(steps) || steps < 1) throw new InputError(`the number of steps must be a positive integer; got ${steps}`);
  if (!(shift > 0)) throw new InputError(`the time shift must be positive; got ${shift}`);
  if (!(tMax > 0 && tMax <= 1)) throw new InputError(`tMax must be in (0, 1]; got ${tMax}`);
  const out = new Float64Array(steps + 1);
  for (let i = 0; i < steps; i++) {
    const s = tMax * (1 - i / steps);
    out[i] = (shift * s) / (1 + (shift - 1) * s);
  }
  return out;
}

export interface FlowRun {
  readonly denoise: FlowDenoiser;
  readonly shape: readonly number[];
  /** Levels, strictly decreasing, ending with 0 (see flowTimesteps). */
  readonly timesteps: ArrayLike<number>;
  readonly rng: Rng;
  /** Start from this x_t₀ instead of t₀·N(0, I) (the x₀ part is 0 then: the run starts from noise). */
  readonly initial?: tf.Tensor;
  readonly signal?: AbortSignal;
  /** After each step: its number (1-based), the count, and the level reached. */
  readonly onStep?: (step: number, total: number, t: number) => void;
}

function checkTimesteps(timesteps: ArrayLike<number>): void {
  if (timesteps.length < 2) throw new InputError('a flow schedule needs at least one step');
  for (let i = 0; i < timesteps.length; i++) {
    const t = timesteps[i] as number;
    if (!(t >= 0 && t <= 1)) throw new InputError(`flow levels must lie in [0, 1]; got ${t} at ${i}`);
    if (i > 0 && !(t < (timesteps[i - 1] as number))) throw new InputError('a flow schedule must be strictly decreasing');
  }
  if (timesteps[timesteps.length - 1] !== 0) throw new InputError('a flow schedule must end with 0');
}

function gaussian(shape: readonly number[], rng: Rng): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.fillNormal(new Float32Array(size)), [...shape]);
}

/** The loop both samplers share: owns x, disposes what each step replaces, yields to the event loop between steps. */
async function runFlow(run: FlowRun, update: (x: tf.Tensor, x0: tf.Tensor, t: number, next: number) => tf.Tensor): Promise<DiffusionResult> {
  checkTimesteps(run.timesteps);
  const n = run.timesteps.length - 1;
  let x = run.initial ? tf.clone(run.initial) : tf.tidy(() => tf.mul(gaussian(run.shape, run.rng), run.timesteps[0] as number));
  let logits: tf.Tensor | undefined;
  try {
    for (let i = 0; i < n; i++) {
      throwIfAborted(run.signal);
      const t = run.timesteps[i] as number;
      const next = run.timesteps[i + 1] as number;
      const stepped = tf.tidy(() => {
        const out = run.denoise({ x, t: tf.scalar(t), step: i, numSteps: n });
        const result = out instanceof tf.Tensor ? { x0: out } : out;
        if (result.logits) {
          logits?.dispose();
          logits = tf.keep(tf.clone(result.logits));
        }
        return update(x, result.x0, t, next);
      });
      x.dispose();
      x = stepped;
      run.onStep?.(i + 1, n, next);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } catch (error) {
    x.dispose();
    logits?.dispose();
    throw error;
  }
  return { sample: x, nfe: n, ...(logits ? { logits } : {}) };
}

/**
 * Euler steps of the flow ODE dx/dt = v = (x − x̂₀)/t: x ← x + (t' − t)·(x − x̂₀)/t, deterministic. In x̂₀ and
 * ε̂ = (x − (1 − t)·x̂₀)/t it is x' = (1 − t')·x̂₀ + t'·ε̂ — DDIM with η = 0, and Karras's Euler step in σ = t/(1 − t).
 */
export function flowEulerSample(run: FlowRun): Promise<DiffusionResult> {
  return runFlow(run, (x, x0, t, next) => tf.add(x, tf.mul(tf.sub(x, x0), (next - t) / t)));
}

/**
 * Few-step sampling with fresh noise (the multistep consistency sampler; Self Forcing's and CausVid's few-step
 * generators): x̂₀ = D(x_t), then x ← (1 − t')·x̂₀ + t'·ε with a new ε ~ N(0, I); the last step returns x̂₀.
 */
export function flowRenoiseSample(run: FlowRun): Promise<DiffusionResult> {
  return runFlow(run, (_x, x0, _t, next) => (next > 0 ? tf.add(tf.mul(x0, 1 - next), tf.mul(gaussian(x0.shape, run.rng), next)) : tf.clone(x0)));
}

export const flowSamplerConfigSchema = z
  .object({
    steps: z.number().int().positive().default(4),
    shift: z.number().positive().default(1),
    tMax: z.number().positive().max(1).default(1),
  })
  .strict();
export type FlowSamplerConfig = z.input<typeof flowSamplerConfigSchema>;

/** What a flow sampler reads (the Rng comes with the SamplerContext). */
export interface FlowInput {
  readonly denoise: FlowDenoiser;
  readonly shape: readonly number[];
  /** A schedule of the caller's own instead of the config's. */
  readonly timesteps?: ArrayLike<number>;
  readonly initial?: tf.Tensor;
  readonly signal?: AbortSignal;
  readonly onStep?: (step: number, total: number, t: number) => void;
}

function makeFlowFactory(name: 'flow-euler' | 'flow-renoise'): SamplerFactory<FlowSamplerConfig, FlowInput, Promise<DiffusionResult>> {
  return {
    name,
    kind: 'diffusion',
    configSchema: flowSamplerConfigSchema as unknown as z.ZodType<FlowSamplerConfig>,
    create(input): Sampler<FlowInput, Promise<DiffusionResult>> {
      const config = parseConfig(flowSamplerConfigSchema, input, `sampler '${name}' config`);
      const timesteps = flowTimesteps(config.steps, { shift: config.shift, tMax: config.tMax });
      return {
        name,
        kind: 'diffusion',
        sample(request: FlowInput, context: SamplerContext) {
          const run = { ...request, timesteps: request.timesteps ?? timesteps, rng: context.rng };
          return name === 'flow-euler' ? flowEulerSample(run) : flowRenoiseSample(run);
        },
      };
    },
  };
}

/** The flow-matching samplers, by name, for the sampler registry. */
export const flowSamplerFactories = (['flow-euler', 'flow-renoise'] as const).map(makeFlowFactory);
