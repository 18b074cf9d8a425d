import { tf } from '../tf.js';
import { stopGradient } from '../nn/stop-gradient.js';

/** Straight-through estimator z + sg(q − z): the value of q, the gradient of the identity w.r.t. z (VQ-VAE eq. 1–3). */
export function straightThrough<T extends tf.Tensor>(z: T, q: T): T {
  return tf.tidy(() => tf.add(z, stopGradient(tf.sub(q, z))) as T);
}
