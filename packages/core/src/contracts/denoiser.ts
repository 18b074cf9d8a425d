import type { tf } from '../tf.js';

/** What a diffusion sampler hands its denoiser at one evaluation. */
export interface DenoiserInput {
  /** The noisy sample, x = x₀ + σ·ε (variance-exploding; a VP model converts, see sigma-schedules.ts). */
  readonly x: tf.Tensor;
  /**
   * The noise level, a tensor broadcastable to x: a scalar when every element shares the schedule, or per token, per
   * frame, per element (e.g. [B, L, 1] for x [B, L, D]) when the schedule is a tensor. Elements at σ = 0 are clean.
   */
  readonly sigma: tf.Tensor;
  /** 0-based sampler step and the number of steps (a Heun correction evaluates at the step's next σ, same index). */
  readonly step: number;
  readonly numSteps: number;
  /** With self-conditioning: x̂₀ of the previous evaluation (or the run's initial estimate; absent at the first). */
  readonly selfCondition?: tf.Tensor;
}

/** What a denoiser returns: x̂₀ and, for a model with a classification head (logits over bit patterns), its logits. */
export interface DenoiserOutput {
  readonly x0: tf.Tensor;
  readonly logits?: tf.Tensor;
}

/**
 * A denoiser D(x, σ) → x̂₀ (Karras et al. 2022). A bare tensor is x̂₀. The sampler owns what is returned (it runs the
 * call inside its own tidy scope); the input tensors belong to the sampler and must not be disposed.
 */
export type Denoiser = (input: DenoiserInput) => tf.Tensor | DenoiserOutput;
