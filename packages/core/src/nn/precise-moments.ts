import { tf } from '../tf.js';
import { pipe } from './pipe.js';

const FAN_IN = 64;

/**
 * Sum over the last axis in blocks of 64, then over the block sums, and so on: a pairwise-style summation whose
 * float32 error grows with 64·log₆₄(n) instead of n. The wasm backend's Sum accumulates sequentially in float32,
 * which over the thousands of elements of a GroupNorm group drifts by ~1e-5 from PyTorch (whose reductions are
 * blocked); the cpu backend accumulates in float64.
 */
export function blockedSum(x: tf.Tensor, keepDims = false): tf.Tensor {
  return tf.tidy(() => {
    const lead = x.shape.slice(0, -1);
    let current = x;
    while ((current.shape[current.rank - 1] as number) > FAN_IN) {
      const n = current.shape[current.rank - 1] as number;
      const padded = Math.ceil(n / FAN_IN) * FAN_IN;
      const withPad = padded === n ? current : tf.pad(current, [...lead.map(() => [0, 0] as [number, number]), [0, padded - n]]);
      current = tf.sum(tf.reshape(withPad, [...lead, padded / FAN_IN, FAN_IN]), -1);
    }
    return tf.sum(current, -1, keepDims);
  });
}

/**
 * Mean and biased variance over `axes` (torch's normalisation statistics), with blocked summation. Returned with the
 * reduced axes kept (size 1), ready to broadcast against x. When the innermost axis is reduced and short (GroupNorm's
 * c channels per group), it is summed first where it lies, so the transpose that brings the other reduced axes last
 * moves 1/c of the data: wasm's Transpose is a scalar loop (2.9 ms for a 128×128×32 activation). With c = 1 the
 * full-size transpose remains.
 */
export function preciseMoments(x: tf.Tensor, axes: readonly number[]): { mean: tf.Tensor; variance: tf.Tensor } {
  return tf.tidy(() => {
    const rank = x.rank;
    const reduce = axes.map((a) => (a < 0 ? a + rank : a));
    const keep = x.shape.map((_, i) => i).filter((i) => !reduce.includes(i));
    const count = reduce.reduce((n, a) => n * (x.shape[a] as number), 1);
    const keptShape = x.shape.map((d, i) => (reduce.includes(i) ? 1 : d));
    const last = rank - 1;
    const innerFirst = reduce.length > 1 && reduce.includes(last) && (x.shape[last] as number) <= FAN_IN;
    const rowLength = innerFirst ? count / (x.shape[last] as number) : count;
    const flat = (t: tf.Tensor) => {
      const inner = innerFirst ? tf.sum(t, last, true) : t;
      return tf.reshape(tf.transpose(inner, [...keep, ...reduce]), [...keep.map((i) => x.shape[i] as number), rowLength]);
    };
    const sumOf = (t: tf.Tensor) => tf.reshape(tf.div(blockedSum(t), count), keptShape);
    const mean = pipe(x, flat, sumOf);
    const variance = pipe(x, (t) => tf.sub(t, mean), tf.square, flat, sumOf);
    return { mean, variance };
  });
}
