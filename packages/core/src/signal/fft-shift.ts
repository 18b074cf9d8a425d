import { tf } from '../tf.js';
import { normaliseAxis } from './axes.js';

/**
 * Rolls the zero frequency to the centre along the given axes (numpy/torch fftshift: shift by ⌊n/2⌋), or back with
 * `inverse` (ifftshift: shift by −⌊n/2⌋, which differs for odd n).
 */
export function fftShift(x: tf.Tensor, axes: readonly number[] = [-2, -1], inverse = false): tf.Tensor {
  return tf.tidy(() => {
    let out = x;
    for (const a of axes) {
      const axis = normaliseAxis(a, x.rank);
      const n = x.shape[axis] as number;
      const shift = inverse ? n - Math.floor(n / 2) : Math.floor(n / 2);
      const cut = (n - shift) % n;
      if (cut === 0) continue;
      const [head, tail] = tf.split(out, [cut, n - cut], axis) as [tf.Tensor, tf.Tensor];
      out = tf.concat([tail, head], axis);
    }
    return out === x ? tf.clone(x) : out;
  });
}
