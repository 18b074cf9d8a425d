import { tf } from '../tf.js';
import type { Rng } from '../rng/rng.js';
import { stopGradient } from '../nn/stop-gradient.js';

/** Standard Gumbel noise −log(−log U) of a shape, from the Rng (U in (0, 1)). */
export function gumbelNoise(shape: readonly number[], rng: Rng): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = -Math.log(-Math.log(Math.min(Math.max(rng.uniform(), 1e-12), 1 - 1e-12)));
  return tf.tensor(values, [...shape]);
}

/**
 * Gumbel-softmax (Jang et al. 2017): softmax((ℓ + g)/τ) over the last axis. With `hard`, the forward value is the
 * one-hot of argmax(ℓ + g) and the gradient that of the soft sample (straight-through).
 */
export function gumbelSoftmax(logits: tf.Tensor, tau: number, rng: Rng, hard = false): tf.Tensor {
  return tf.tidy(() => {
    const perturbed = tf.add(logits, gumbelNoise(logits.shape, rng));
    const soft = tf.softmax(tf.div(perturbed, tau));
    if (!hard) return soft;
    const oneHot = tf.cast(tf.oneHot(tf.argMax(perturbed, -1), logits.shape[logits.rank - 1] as number), 'float32');
    // oneHot − sg(soft) + soft: forward one-hot, backward d soft.
    return tf.add(tf.sub(oneHot, stopGradient(soft)), soft);
  });
}
