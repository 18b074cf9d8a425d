import { tf } from '../tf.js';

/** Identity forward, zero gradient backward. */
const detach = tf.customGrad(((input: tf.Tensor) => ({
  value: tf.clone(input),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]);

/**
 * The value of x with no gradient flowing back (torch's `.detach()`; tfjs has no such op). Used for straight-through
 * estimators and the stop-gradient terms of VQ losses.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return detach(x) as T;
}
