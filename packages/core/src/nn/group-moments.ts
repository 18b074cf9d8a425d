import { tf } from '../tf.js';

/** Rows per block: ⌈√N⌉, or a divisor of N up to 4× that (no padding), so that each stage sums about √N terms. */
function blockRows(n: number): number {
  const target = Math.ceil(Math.sqrt(n));
  for (let rows = target; rows <= 4 * target && rows <= n; rows++) if (n % rows === 0) return rows;
  return target;
}

/**
 * Σ over axis 1 of x [B, N, C] → [B, 1, C] as two products with ones: x seen as [B, N/r, r·C] is summed over its
 * N/r blocks, then the [B, r, C] partial sums over their r rows, with r ≈ √N (zero rows pad N when it has no divisor
 * near √N). Each output sums ~2√N float32 terms instead of N, so its error stays near PyTorch's blocked reductions
 * (wasm's Sum accumulates sequentially and drifts by ~1e-5 over a GroupNorm group); and the products run on the GEMM
 * path (OpenBLAS or XNNPACK) with no transpose, where Sum over a non-innermost axis transposes the whole input first.
 */
export function sumOverRows(x: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, n, channels] = x.shape;
    if (n <= 64) return tf.matMul(tf.ones([1, 1, n]), x);
    const rows = blockRows(n);
    const blocks = Math.ceil(n / rows);
    const padded = blocks * rows === n ? x : tf.pad(x, [[0, 0], [0, blocks * rows - n], [0, 0]]);
    const partial = tf.matMul(tf.ones([1, 1, blocks]), tf.reshape(padded, [batch, blocks, rows * channels]));
    return tf.matMul(tf.ones([1, 1, rows]), tf.reshape(partial, [batch, rows, channels]));
  });
}

export interface GroupMoments {
  /** x − mean, [B, N, C]. */
  readonly centered: tf.Tensor3D;
  /** The group's biased variance repeated over its channels, [B, 1, C]. */
  readonly variance: tf.Tensor3D;
}

/**
 * torch's GroupNorm statistics of x [B, N, C]: channels split into `groups` contiguous groups, each (sample, group)
 * reduced over its N positions and C/G channels; the variance is the biased one, taken two-pass (of x − mean).
 */
export function groupMoments(x: tf.Tensor3D, groups: number): GroupMoments {
  return tf.tidy(() => {
    const [batch, n, channels] = x.shape;
    const perGroup = channels / groups;
    const count = n * perGroup;
    const perChannel = (channelSums: tf.Tensor3D) => {
      if (perGroup === 1) return tf.div(channelSums, count) as tf.Tensor3D;
      const groupMeans = tf.div(tf.sum(tf.reshape(channelSums, [batch, 1, groups, perGroup]), 3, true), count);
      return tf.reshape(tf.broadcastTo(groupMeans, [batch, 1, groups, perGroup]), [batch, 1, channels]) as tf.Tensor3D;
    };
    const mean = perChannel(sumOverRows(x));
    const centered = tf.sub(x, mean) as tf.Tensor3D;
    const squares = tf.square(centered) as tf.Tensor3D;
    const variance = perChannel(sumOverRows(squares));
    squares.dispose();
    return { centered, variance };
  });
}
