import { z } from 'zod';
import { tf } from '../../tf.js';
import { InputError, throwIfAborted } from '../../errors.js';
import type { Rng } from '../../rng/rng.js';

/**
 * A denoiser D(x, σ) → x̂₀ in the variance-exploding parameterisation x = x₀ + σ·ε (Karras et al. 2022). With
 * self-conditioning (Chen et al. 2022, Analog Bits), the sampler passes the previous step's estimate of x₀.
 */
export type Denoiser = (x: tf.Tensor, sigma: number, context: { readonly selfCondition?: tf.Tensor }) => tf.Tensor;

export interface DiffusionRun {
  readonly denoise: Denoiser;
  readonly shape: readonly number[];
  /** Noise levels, decreasing, ending with 0 (see sigma-schedules.ts). */
  readonly sigmas: ArrayLike<number>;
  readonly rng: Rng;
  /** Start from this x instead of σ₀·N(0, I) (e.g. a partially noised signal). */
  readonly initial?: tf.Tensor;
  readonly selfCondition?: boolean;
  readonly signal?: AbortSignal;
  readonly onStep?: (step: number, total: number, sigma: number) => void;
}

export interface DiffusionResult {
  readonly sample: tf.Tensor;
  /** Number of denoiser evaluations. */
  readonly nfe: number;
}

export const churnSchema = z
  .object({
    /** EDM's S_churn: total extra noise injected over the run (0 = deterministic). */
    sChurn: z.number().nonnegative().default(0),
    sTmin: z.number().nonnegative().default(0),
    sTmax: z.number().positive().default(Infinity),
    /** EDM's S_noise: scale of the injected noise (slightly above 1 compensates denoiser smoothing). */
    sNoise: z.number().positive().default(1),
    /**
     * Gate the churn by an information profile: `quantiles[i]` is step i's position in the cumulative profile
     * (0..1); churn applies only where it lies in [low, high] (stochasticity where information is being decided).
     */
    gate: z.object({ quantiles: z.array(z.number().min(0).max(1)), low: z.number().min(0).max(1), high: z.number().min(0).max(1) }).optional(),
  })
  .strict();
export type ChurnConfig = z.input<typeof churnSchema>;

function gaussian(shape: readonly number[], rng: Rng, scale = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.fillNormal(new Float32Array(size), 0, scale), [...shape]);
}

function checkSigmas(sigmas: ArrayLike<number>): void {
  for (let i = 1; i < sigmas.length; i++) {
    if (!((sigmas[i] as number) < (sigmas[i - 1] as number))) throw new InputError('σ schedule must be strictly decreasing');
  }
  if (sigmas[sigmas.length - 1] !== 0) throw new InputError('σ schedule must end with 0');
}

/** Shared loop: owns x and the self-conditioning estimate, disposes what each step replaces. */
async function runSteps(
  run: DiffusionRun,
  step: (x: tf.Tensor, i: number, denoise: (x: tf.Tensor, sigma: number) => tf.Tensor) => tf.Tensor,
): Promise<DiffusionResult> {
  checkSigmas(run.sigmas);
  const n = run.sigmas.length - 1;
  let x = run.initial ? tf.clone(run.initial) : gaussian(run.shape, run.rng, run.sigmas[0] as number);
  let previous: tf.Tensor | undefined;
  let nfe = 0;
  const denoise = (input: tf.Tensor, sigma: number) => {
    nfe++;
    const estimate = run.denoise(input, sigma, previous && run.selfCondition ? { selfCondition: previous } : {});
    if (run.selfCondition) {
      previous?.dispose();
      previous = tf.keep(tf.clone(estimate));
    }
    return estimate;
  };
  try {
    for (let i = 0; i < n; i++) {
      throwIfAborted(run.signal);
      const next = tf.tidy(() => step(x, i, denoise));
      x.dispose();
      x = next;
      run.onStep?.(i + 1, n, run.sigmas[i + 1] as number);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } catch (error) {
    x.dispose();
    throw error;
  } finally {
    previous?.dispose();
  }
  return { sample: x, nfe };
}

/** Euler steps of the probability-flow ODE dx/dσ = (x − D(x, σ))/σ (Karras et al. Alg. 1 without the correction). */
export function eulerSample(run: DiffusionRun): Promise<DiffusionResult> {
  return runSteps(run, (x, i, denoise) => {
    const [s, next] = [run.sigmas[i] as number, run.sigmas[i + 1] as number];
    const d = tf.div(tf.sub(x, denoise(x, s)), s);
    return tf.add(x, tf.mul(d, next - s));
  });
}

/** Heun's second-order method (Karras et al. Alg. 1): an Euler step corrected by the slope at its end, except into σ = 0. */
export function heunSample(run: DiffusionRun): Promise<DiffusionResult> {
  return runSteps(run, (x, i, denoise) => heunStep(x, run.sigmas[i] as number, run.sigmas[i + 1] as number, denoise));
}

function heunStep(x: tf.Tensor, s: number, next: number, denoise: (x: tf.Tensor, sigma: number) => tf.Tensor): tf.Tensor {
  const d = tf.div(tf.sub(x, denoise(x, s)), s);
  const euler = tf.add(x, tf.mul(d, next - s));
  if (next === 0) return euler;
  const d2 = tf.div(tf.sub(euler, denoise(euler, next)), next);
  return tf.add(x, tf.mul(tf.add(d, d2), (next - s) / 2));
}

/**
 * Karras et al. Alg. 2: before each Heun step, raise the noise from σ to σ̂ = σ(1 + γ) with
 * γ = min(S_churn/N, √2 − 1) for σ ∈ [S_tmin, S_tmax] (and, with a gate, only where the profile quantile is in range),
 * adding fresh noise of std √(σ̂² − σ²)·S_noise.
 */
export function edmStochasticSample(run: DiffusionRun, churn: ChurnConfig = {}): Promise<DiffusionResult> {
  const c = churnSchema.parse(churn);
  const n = run.sigmas.length - 1;
  return runSteps(run, (x, i, denoise) => {
    const s = run.sigmas[i] as number;
    const next = run.sigmas[i + 1] as number;
    const quantile = c.gate?.quantiles[i];
    const gated = c.gate === undefined || (quantile !== undefined && quantile >= c.gate.low && quantile <= c.gate.high);
    const gamma = gated && s >= c.sTmin && s <= c.sTmax ? Math.min(c.sChurn / n, Math.SQRT2 - 1) : 0;
    const raised = s * (1 + gamma);
    const noisy = gamma > 0 ? tf.add(x, gaussian(x.shape, run.rng, Math.sqrt(raised * raised - s * s) * c.sNoise)) : x;
    return heunStep(noisy, raised, next, denoise);
  });
}

/**
 * DDIM (Song et al. 2021) in VE form: x' = x̂₀ + √(σ'² − c²)·ε̂ + c·z with ε̂ = (x − x̂₀)/σ and
 * c = η·σ'·√(1 − σ'²/σ²) — the VP update divided by √ᾱ'. η = 0 is deterministic DDIM (= Euler in σ);
 * η = 1 is ancestral DDPM: x' is drawn from the exact posterior q(x' | x, x̂₀).
 */
export function ddimSample(run: DiffusionRun, eta = 0): Promise<DiffusionResult> {
  if (eta < 0 || eta > 1) throw new InputError(`DDIM η must be in [0, 1]; got ${eta}`);
  return runSteps(run, (x, i, denoise) => {
    const s = run.sigmas[i] as number;
    const next = run.sigmas[i + 1] as number;
    const x0 = denoise(x, s);
    const eps = tf.div(tf.sub(x, x0), s);
    const c = eta * next * Math.sqrt(Math.max(0, 1 - (next * next) / (s * s)));
    const deterministic = tf.add(x0, tf.mul(eps, Math.sqrt(Math.max(0, next * next - c * c))));
    return c > 0 ? tf.add(deterministic, gaussian(x.shape, run.rng, c)) : deterministic;
  });
}

/** DDPM ancestral sampling (Ho et al. 2020) on the given σ grid: DDIM with η = 1. */
export function ddpmSample(run: DiffusionRun): Promise<DiffusionResult> {
  return ddimSample(run, 1);
}
