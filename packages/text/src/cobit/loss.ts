import { InputError, edmLossWeight, tf, type Rng } from '@nextx/core';
import type { BitDenoiser, SelfCondition } from './network/cobit-network.js';

/**
 * One CoBit training example batch after noising and the self-conditioning pre-pass (official
 * `trainers/trainer.py:_step_continuous`, spec section 7): what the gradient pass reads. The pre-pass runs without a
 * gradient tape (its output is detached in the official code), so preparing a batch costs one forward pass and the
 * loss one forward and one backward.
 */
export interface PreparedCobitBatch {
  /** Clean bits x₀ ∈ {0, 1} [B, S]. */
  readonly x0: tf.Tensor;
  /** x_t = ε·σ + x₀ [B, S]. */
  readonly xT: tf.Tensor;
  /** σ per row [B]. */
  readonly sigma: tf.Tensor;
  /** The self-conditioning input of the main pass (null: the official None). */
  readonly x0Hat: SelfCondition;
}

export interface CobitNoise {
  /** Standard normal ε [B, S]. */
  readonly eps: tf.Tensor;
  /** σ per row [B]. */
  readonly sigma: tf.Tensor;
  /** Rows that get a self-conditioning pre-pass (P(m = 1) = self_condition_prob). */
  readonly scMask: ArrayLike<number | boolean>;
}

/**
 * Noises x₀ and runs the self-conditioning pre-pass: if some row has m = 1, x̂₀ is a zeros tensor whose m = 1 rows
 * become sigmoid(logits(x_t, σ, None)); if none has, x̂₀ is None. (So an m = 0 row sees a centred −0.5 in a mixed batch
 * and an uncentred 0 in an all-zero batch: official behaviour, spec 12.5.) Dispose the result with `disposePrepared`.
 */
export function prepareCobitBatch(net: BitDenoiser, x0: tf.Tensor, noise: CobitNoise): PreparedCobitBatch {
  const [b] = x0.shape as [number, number];
  if (noise.scMask.length !== b || noise.sigma.size !== b) throw new InputError(`CoBit batch: ${b} rows but ${noise.sigma.size} σ values and ${noise.scMask.length} self-conditioning flags`);
  const selfCondition = net.selfCondition;
  const rows = Array.from(noise.scMask, (m) => (selfCondition && Boolean(m) ? 1 : 0));
  let x0Hat: SelfCondition = null;
  const xT = tf.tidy(() => tf.add(tf.mul(noise.eps, tf.reshape(noise.sigma, [-1, 1])), x0));
  if (rows.some((m) => m === 1)) {
    x0Hat = tf.tidy(() => tf.mul(tf.sigmoid(net.logits(xT, noise.sigma, null)), tf.tensor2d(rows, [b, 1])));
  }
  return { x0: tf.clone(x0), xT, sigma: tf.clone(noise.sigma), x0Hat };
}

export function disposePrepared(batch: PreparedCobitBatch): void {
  tf.dispose([batch.x0, batch.xT, batch.sigma, ...(batch.x0Hat ? [batch.x0Hat] : [])]);
}

export interface CobitLossTerms {
  readonly logits: tf.Tensor;
  /** Per-position loss before weighting [B, S]. */
  readonly perPos: tf.Tensor;
  /** λ(σ) per row [B, 1]. */
  readonly weight: tf.Tensor;
  /** The training loss: mean over B·S of λ(σ_b)·per_pos. */
  readonly loss: tf.Scalar;
  /** The entropy metric per row: mean_s (sigmoid(logits) − x₀)², unweighted [B]. */
  readonly metric: tf.Tensor;
}

export type CobitLossType = 'binary_sm' | 'binary_ce';
export type CobitLossWeighting = 'edm' | 'karras' | 'unit' | 'none';

export interface CobitLossOptions {
  readonly lossType?: CobitLossType;
  readonly weighting?: CobitLossWeighting;
}

/** log(1 + e^ℓ) − ℓ·y, the numerically stable binary cross-entropy with logits (torch's formulation). */
function bceWithLogits(logits: tf.Tensor, target: tf.Tensor): tf.Tensor {
  return tf.add(tf.sub(tf.relu(logits), tf.mul(logits, target)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
}

/**
 * The official loss (`losses.py:binary_score_interpolation_loss`): `binary_sm` (the paper's binary score matching,
 * (p − x₀)²) or `binary_ce` (BCE with logits), weighted by EDM's λ(σ) = (σ² + σ_d²)/(σ·σ_d)² or 1.
 */
export function cobitLossTerms(net: BitDenoiser, batch: PreparedCobitBatch, options: CobitLossOptions = net.loss): CobitLossTerms {
  const lossType = options.lossType ?? net.loss.lossType ?? 'binary_sm';
  const weighting = options.weighting ?? net.loss.weighting ?? 'edm';
  return tf.tidy(() => {
    const logits = net.logits(batch.xT, batch.sigma, batch.x0Hat);
    const probs = tf.sigmoid(logits);
    const squared = tf.square(tf.sub(probs, batch.x0));
    const perPos = lossType === 'binary_sm' ? squared : bceWithLogits(logits, batch.x0);
    const perRow = tf.reshape(batch.sigma, [-1, 1]);
    const weight = weighting === 'edm' || weighting === 'karras' ? edmLossWeight(perRow, net.sigmaData) : tf.onesLike(perRow);
    const loss = tf.mean(tf.mul(weight, perPos)) as tf.Scalar;
    return { logits, perPos, weight, loss, metric: tf.mean(squared, 1) };
  });
}

/** A prepared batch in host memory (what a training batch source hands the trainer: no tensors between steps). */
export interface HostCobitBatch {
  readonly rows: number;
  readonly bits: number;
  readonly x0: Float32Array;
  readonly xT: Float32Array;
  readonly sigma: Float32Array;
  readonly x0Hat: Float32Array | null;
}

/**
 * Draws a training batch's noise and runs the pre-pass, in the official order of draws: σ (given, one per row), then
 * ε, then the self-conditioning flags (P(m = 1) = `selfConditionProb`).
 */
export function prepareHostBatch(net: BitDenoiser, x0: Float32Array, sigmas: Float32Array, selfConditionProb: number, rng: Rng): HostCobitBatch {
  const rows = sigmas.length;
  const bits = x0.length / rows;
  if (!Number.isInteger(bits)) throw new InputError(`CoBit batch: ${x0.length} bits are not ${rows} rows`);
  const eps = rng.fillNormal(new Float32Array(x0.length));
  const scMask = Uint8Array.from({ length: rows }, () => (rng.uniform() < selfConditionProb ? 1 : 0));
  const clean = tf.tensor2d(x0, [rows, bits]);
  const noise = { eps: tf.tensor2d(eps, [rows, bits]), sigma: tf.tensor1d(sigmas), scMask };
  const prepared = prepareCobitBatch(net, clean, noise);
  try {
    return {
      rows,
      bits,
      x0,
      xT: Float32Array.from(prepared.xT.dataSync()),
      sigma: Float32Array.from(sigmas),
      x0Hat: prepared.x0Hat ? Float32Array.from(prepared.x0Hat.dataSync()) : null,
    };
  } finally {
    disposePrepared(prepared);
    tf.dispose([clean, noise.eps, noise.sigma]);
  }
}

/** Tensors of a host batch (made in the caller's scope). */
export function hostBatchTensors(batch: HostCobitBatch): PreparedCobitBatch {
  const shape: [number, number] = [batch.rows, batch.bits];
  return {
    x0: tf.tensor2d(batch.x0, shape),
    xT: tf.tensor2d(batch.xT, shape),
    sigma: tf.tensor1d(batch.sigma),
    x0Hat: batch.x0Hat ? tf.tensor2d(batch.x0Hat, shape) : null,
  };
}
