import { tf, gumbelSoftmax, type Rng } from '@nextx/core';

/** The Gumbel temperature of the official `more_smooth` at ratio r = k/(S − 1): max(0.27·(1 − 0.95·r), 0.005). */
export function moreSmoothTemperature(ratio: number): number {
  return Math.max(0.27 * (1 - ratio * 0.95), 0.005);
}

/**
 * The official `more_smooth` code map (`autoregressive_infer_cfg`, "only used in visualization"): in place of the
 * sampled codeword, the Gumbel-softmax mixture softmax((ℓ·(1 + r) + g)/τ(r)) · E of all codewords. `filteredLogits`
 * [N, V] are the guided logits after top-k / top-p — the official sampler filters them in place before this step,
 * so cut tokens get no weight. Returns [N, Cvae].
 */
export function smoothCodeMixture(filteredLogits: tf.Tensor2D, ratio: number, codebook: tf.Tensor2D, rng: Rng): tf.Tensor2D {
  return tf.tidy(() => {
    const weights = gumbelSoftmax(tf.mul(filteredLogits, 1 + ratio), moreSmoothTemperature(ratio), rng) as tf.Tensor2D;
    return tf.matMul(weights, codebook);
  });
}
