import { tf } from '../tf.js';

/** Per-code hit counts of int32 ids (any shape) over a vocabulary of size V → float32 [V]. */
export function codeHits(ids: tf.Tensor, vocabSize: number): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.cast(tf.oneHot(tf.reshape(ids, [-1]), vocabSize), 'float32'), 0) as tf.Tensor1D);
}

/** Codebook perplexity exp(−Σ p·log(p + 1e-10)) with p = hits / Σ hits (Sonnet's VQ-VAE definition). */
export function perplexity(hits: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.div(hits, tf.maximum(tf.sum(hits), 1));
    return tf.exp(tf.neg(tf.sum(tf.mul(p, tf.log(tf.add(p, 1e-10)))))) as tf.Scalar;
  });
}
