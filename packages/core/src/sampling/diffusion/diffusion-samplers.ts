import { z } from 'zod';
import { tf } from '../../tf.js';
import { InputError, throwIfAborted } from '../../errors.js';
import type { Rng } from '../../rng/rng.js';
import type { Denoiser } from '../../contracts/denoiser.js';
import { NoiseLevels, type SigmaSchedule } from './noise-levels.js';

export interface DiffusionRun {
  readonly denoise: Denoiser;
  readonly shape: readonly number[];
  /** Noise levels: shared (decreasing, ending with 0) or per element (a tensor; see SigmaSchedule). */
  readonly sigmas: SigmaSchedule;
  readonly rng: Rng;
  /** Start from this x instead of σ₀·N(0, I) (a partially noised signal; clean context elements at σ = 0). */
  readonly initial?: tf.Tensor;
  /** Pass each evaluation the previous one's x̂₀ (Chen et al. 2022, Analog Bits). */
  readonly selfCondition?: boolean;
  /** The estimate the first evaluation gets with self-conditioning (CoBit: zeros); none when absent. */
  readonly initialSelfCondition?: tf.Tensor;
  readonly signal?: AbortSignal;
  /** After each step: its number (1-based), the count, and the largest σ reached. */
  readonly onStep?: (step: number, total: number, sigma: number) => void;
}

export interface DiffusionResult {
  readonly sample: tf.Tensor;
  /** Number of denoiser evaluations. */
  readonly nfe: number;
  /** The logits of the last evaluation, when the denoiser returns logits (e.g. a CE head: decode its argmax). */
  readonly logits?: tf.Tensor;
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

function gaussian(shape: readonly number[], rng: Rng, scale: number | tf.Tensor = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const noise = tf.tensor(rng.fillNormal(new Float32Array(size)), [...shape]);
  return tf.mul(noise, scale);
}

/** 1/σ, and 0 where σ = 0 (a clean element has no slope). */
function inverse(sigma: tf.Tensor): tf.Tensor {
  return tf.divNoNan(tf.onesLike(sigma), sigma);
}

/** One denoiser evaluation as the step functions see it: at x and σ (a tensor broadcastable to x), returns x̂₀. */
type Evaluate = (x: tf.Tensor, sigma: tf.Tensor) => tf.Tensor;

interface StepInput {
  readonly x: tf.Tensor;
  readonly i: number;
  /** σ_i and σ_{i+1} as tensors broadcastable to x. */
  readonly sigma: tf.Tensor;
  readonly next: tf.Tensor;
  readonly levels: NoiseLevels;
  readonly denoise: Evaluate;
}

/** Shared loop: owns x, the self-conditioning estimate and the last logits, disposes what each step replaces. */
async function runSteps(run: DiffusionRun, step: (input: StepInput) => tf.Tensor): Promise<DiffusionResult> {
  const levels = new NoiseLevels(run.sigmas);
  try {
    levels.checkFits(run.initial?.shape ?? run.shape);
  } catch (error) {
    levels.dispose();
    throw error;
  }
  const n = levels.steps;
  let x = run.initial ? tf.clone(run.initial) : tf.tidy(() => gaussian(run.shape, run.rng, levels.level(0)));
  let previous = run.selfCondition && run.initialSelfCondition ? tf.keep(tf.clone(run.initialSelfCondition)) : undefined;
  let logits: tf.Tensor | undefined;
  let nfe = 0;
  const evaluateAt = (i: number) => (input: tf.Tensor, sigma: tf.Tensor) => {
    nfe++;
    const out = run.denoise({ x: input, sigma, step: i, numSteps: n, ...(previous && run.selfCondition ? { selfCondition: previous } : {}) });
    const result = out instanceof tf.Tensor ? { x0: out } : out;
    if (run.selfCondition) {
      previous?.dispose();
      previous = tf.keep(tf.clone(result.x0));
    }
    if (result.logits) {
      logits?.dispose();
      logits = tf.keep(tf.clone(result.logits));
    }
    return result.x0;
  };
  try {
    for (let i = 0; i < n; i++) {
      throwIfAborted(run.signal);
      const next = tf.tidy(() => {
        const sigma = levels.level(i);
        const stepped = step({ x, i, sigma, next: levels.level(i + 1), levels, denoise: evaluateAt(i) });
        // Elements already clean at σ_i stay as they are (only a per-element schedule has them).
        return levels.min(i) > 0 ? stepped : tf.add(x, tf.mul(tf.cast(tf.greater(sigma, 0), 'float32'), tf.sub(stepped, x)));
      });
      x.dispose();
      x = next;
      run.onStep?.(i + 1, n, levels.max(i + 1));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } catch (error) {
    x.dispose();
    logits?.dispose();
    throw error;
  } finally {
    previous?.dispose();
    levels.dispose();
  }
  return { sample: x, nfe, ...(logits ? { logits } : {}) };
}

/** Euler steps of the probability-flow ODE dx/dσ = (x − D(x, σ))/σ (Karras et al. Alg. 1 without the correction). */
export function eulerSample(run: DiffusionRun): Promise<DiffusionResult> {
  return runSteps(run, ({ x, sigma, next, denoise }) => tf.add(x, tf.mul(slope(x, sigma, denoise), tf.sub(next, sigma))));
}

/** d = (x − D(x, σ))/σ, 0 where σ = 0. */
function slope(x: tf.Tensor, sigma: tf.Tensor, denoise: Evaluate): tf.Tensor {
  return tf.mul(tf.sub(x, denoise(x, sigma)), inverse(sigma));
}

/** Heun's second-order method (Karras et al. Alg. 1): an Euler step corrected by the slope at its end, except into σ = 0. */
export function heunSample(run: DiffusionRun): Promise<DiffusionResult> {
  return runSteps(run, ({ x, i, sigma, next, levels, denoise }) => heunStep(x, sigma, next, levels.max(i + 1) > 0, denoise));
}

/** `anyNext`: some element has σ_{i+1} > 0 (else the correction is skipped, as into σ = 0). */
function heunStep(x: tf.Tensor, sigma: tf.Tensor, next: tf.Tensor, anyNext: boolean, denoise: Evaluate): tf.Tensor {
  const d = slope(x, sigma, denoise);
  const euler = tf.add(x, tf.mul(d, tf.sub(next, sigma)));
  if (!anyNext) return euler;
  // Where σ_{i+1} = 0 the step stays Euler: the averaged slope (d + d')/2 becomes d there.
  const corrected = tf.mul(tf.sub(slope(euler, next, denoise), d), tf.cast(tf.greater(next, 0), 'float32'));
  return tf.add(x, tf.mul(tf.add(d, tf.div(corrected, 2)), tf.sub(next, sigma)));
}

/**
 * Karras et al. Alg. 2: before each Heun step, raise the noise from σ to σ̂ = σ(1 + γ) with
 * γ = min(S_churn/N, √2 − 1) for σ ∈ [S_tmin, S_tmax] (and, with a gate, only where the profile quantile is in range),
 * adding fresh noise of std √(σ̂² − σ²)·S_noise. With a per-element schedule, γ is decided per element; the noise is
 * drawn (for the whole sample) at the steps where some element churns.
 */
export function edmStochasticSample(run: DiffusionRun, churn: ChurnConfig = {}): Promise<DiffusionResult> {
  const c = churnSchema.parse(churn);
  return runSteps(run, ({ x, i, sigma, next, levels, denoise }) => {
    const quantile = c.gate?.quantiles[i];
    const gated = c.gate === undefined || (quantile !== undefined && quantile >= c.gate.low && quantile <= c.gate.high);
    const gamma = gated ? Math.min(c.sChurn / levels.steps, Math.SQRT2 - 1) : 0;
    const anyInWindow = levels.some(i, (s) => s >= c.sTmin && s <= c.sTmax);
    const anyNext = levels.max(i + 1) > 0;
    if (!(gamma > 0 && anyInWindow)) return heunStep(x, sigma, next, anyNext, denoise);
    const inWindow = tf.cast(tf.logicalAnd(tf.greaterEqual(sigma, c.sTmin), tf.lessEqual(sigma, c.sTmax)), 'float32');
    const raised = tf.mul(sigma, tf.add(1, tf.mul(inWindow, gamma)));
    const std = tf.mul(tf.sqrt(tf.sub(tf.square(raised), tf.square(sigma))), c.sNoise);
    return heunStep(tf.add(x, gaussian(x.shape, run.rng, std)), raised, next, anyNext, denoise);
  });
}

/**
 * DDIM (Song et al. 2021) in VE form: x' = x̂₀ + √(σ'² − c²)·ε̂ + c·z with ε̂ = (x − x̂₀)/σ and
 * c = η·σ'·√(1 − σ'²/σ²) — the VP update divided by √ᾱ'. η = 0 is deterministic DDIM (= Euler in σ);
 * η = 1 is ancestral DDPM: x' is drawn from the exact posterior q(x' | x, x̂₀).
 */
export function ddimSample(run: DiffusionRun, eta = 0): Promise<DiffusionResult> {
  if (eta < 0 || eta > 1) throw new InputError(`DDIM η must be in [0, 1]; got ${eta}`);
  return runSteps(run, ({ x, i, sigma, next, levels, denoise }) => {
    const x0 = denoise(x, sigma);
    const eps = tf.mul(tf.sub(x, x0), inverse(sigma));
    const ratio = tf.square(tf.mul(next, inverse(sigma)));
    const c = tf.mul(tf.mul(next, tf.sqrt(tf.relu(tf.sub(1, ratio)))), eta);
    const deterministic = tf.add(x0, tf.mul(eps, tf.sqrt(tf.relu(tf.sub(tf.square(next), tf.square(c))))));
    return eta > 0 && levels.max(i + 1) > 0 ? tf.add(deterministic, gaussian(x.shape, run.rng, c)) : deterministic;
  });
}

/** DDPM ancestral sampling (Ho et al. 2020) on the given σ grid: DDIM with η = 1. */
export function ddpmSample(run: DiffusionRun): Promise<DiffusionResult> {
  return ddimSample(run, 1);
}
