import { tf } from '../tf.js';

export interface MatchedFilterOptions {
  /** Midpoint of the two bit values (0.5 for bits in {0, 1}). */
  readonly center?: number;
  readonly scale?: number;
  /** Clamp to [−clip, clip]; none when absent. */
  readonly clip?: number;
}

/**
 * The log-odds a noisy bit carries by itself: for x = x₀ + σ·ε with x₀ ∈ {0, 1}, log p(x | 1)/p(x | 0) = (x − ½)/σ².
 * A bit denoiser that predicts logits can add this term and learn only the residual (CoBit's
 * `matched_filter_residual`). σ is a tensor broadcastable to x; σ² is floored at 1e-12, as the official code does.
 */
export function matchedFilterLogits(x: tf.Tensor, sigma: tf.Tensor, options: MatchedFilterOptions = {}): tf.Tensor {
  const { center = 0.5, scale = 1, clip } = options;
  return tf.tidy(() => {
    const sigma2 = tf.maximum(tf.square(sigma), 1e-12);
    const mf = tf.div(tf.mul(tf.sub(x, center), scale), sigma2);
    return clip === undefined ? mf : tf.clipByValue(mf, -clip, clip);
  });
}
