import { tf } from '@nextx/core';

/** One level of the orthonormal 2-D Haar transform: the low band and the three detail bands, each [h/2, w/2]. */
export interface HaarLevel {
  readonly low: tf.Tensor2D;
  readonly details: readonly [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
}

/** x [h, w] (even sides) → the four polyphase components x[2i, 2j], x[2i, 2j+1], x[2i+1, 2j], x[2i+1, 2j+1]. */
function polyphase(x: tf.Tensor2D): tf.Tensor2D[] {
  const [h, w] = x.shape;
  const parts = tf.transpose(tf.reshape(x, [h / 2, 2, w / 2, 2]), [1, 3, 0, 2]);
  return tf.unstack(tf.reshape(parts, [4, h / 2, w / 2])) as tf.Tensor2D[];
}

export function haarForward(x: tf.Tensor2D): HaarLevel {
  return tf.tidy(() => {
    const [a, b, c, d] = polyphase(x) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const half = (t: tf.Tensor) => tf.mul(t, 0.5) as tf.Tensor2D;
    return {
      low: half(tf.addN([a, b, c, d])),
      details: [half(tf.sub(tf.add(a, c), tf.add(b, d))), half(tf.sub(tf.add(a, b), tf.add(c, d))), half(tf.sub(tf.add(a, d), tf.add(b, c)))] as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D],
    };
  });
}

export function haarInverse(level: HaarLevel): tf.Tensor2D {
  return tf.tidy(() => {
    const { low } = level;
    const [d1, d2, d3] = level.details;
    const half = (t: tf.Tensor) => tf.mul(t, 0.5);
    const a = half(tf.addN([low, d1, d2, d3]));
    const b = half(tf.sub(tf.add(low, d2), tf.add(d1, d3)));
    const c = half(tf.sub(tf.add(low, d1), tf.add(d2, d3)));
    const d = half(tf.sub(tf.add(low, d3), tf.add(d1, d2)));
    const [h2, w2] = low.shape;
    const parts = tf.reshape(tf.stack([a, b, c, d]), [2, 2, h2, w2]);
    return tf.reshape(tf.transpose(parts, [2, 0, 3, 1]), [2 * h2, 2 * w2]) as tf.Tensor2D;
  });
}

/** Levels the sides allow (each halving must stay even), at most `max`. */
export function haarLevels(height: number, width: number, max: number): number {
  let levels = 0;
  while (levels < max && height % 2 ** (levels + 1) === 0 && width % 2 ** (levels + 1) === 0) levels++;
  return levels;
}

/** Circular shift of an [h, w] tensor by (dy, dx), numpy.roll. */
export function roll2d(x: tf.Tensor, dy: number, dx: number): tf.Tensor {
  return tf.tidy(() => {
    const [h, w] = x.shape as [number, number];
    const rollAxis = (t: tf.Tensor, shift: number, axis: number, n: number) => {
      const s = ((shift % n) + n) % n;
      if (s === 0) return t;
      const [head, tail] = tf.split(t, [n - s, s], axis);
      return tf.concat([tail as tf.Tensor, head as tf.Tensor], axis);
    };
    return tf.clone(rollAxis(rollAxis(x, dy, 0, h), dx, 1, w));
  });
}
