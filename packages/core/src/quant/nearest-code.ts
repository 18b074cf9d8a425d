import { tf } from '../tf.js';
import { l2Normalize } from '../nn/attention.js';

/**
 * Index of the nearest codeword for each row of z [N, C] under the codebook [V, C], by the expanded distance
 * ‖z‖² + ‖e‖² − 2·z·e computed in float32 as VAR and VQ-VAE do (argmin: first index on ties). With `cosine`, the
 * argmax of the cosine similarity between L2-normalised rows instead.
 */
export function nearestCode(z: tf.Tensor2D, codebook: tf.Tensor2D, cosine = false): tf.Tensor1D {
  return tf.tidy(() => {
    if (cosine) {
      const zn = l2Normalize(z);
      const en = l2Normalize(codebook);
      return tf.argMax(tf.matMul(zn, en, false, true), 1) as tf.Tensor1D;
    }
    const zz = tf.sum(tf.square(z), 1, true);
    const ee = tf.sum(tf.square(codebook), 1);
    const distances = tf.sub(tf.add(zz, ee), tf.mul(tf.matMul(z, codebook, false, true), 2));
    return tf.argMin(distances, 1) as tf.Tensor1D;
  });
}
