import { tf } from '../tf.js';
import { l2Normalize } from '../nn/attention.js';

/**
 * How redundant each slot's key is, per head: its mean cosine similarity to the other live keys of that head,
 * averaged over the batch (R-KV, Cai et al. 2025; FlowCache's `cal_similarity` before its softmax) — [H][T], 0 on
 * dead slots and where a head holds a single key. `keys` are runs of slots in order ([B, H, n, d] each: a cache's
 * pages, then a chunk); `headPositions` marks dead slots (−1). One pass: Σⱼ k̂ⱼ per head, then k̂ᵢ·Σ, O(T·d).
 */
export function keyRedundancy(keys: readonly tf.Tensor[], headPositions: readonly (readonly number[])[]): Float32Array[] {
  const heads = headPositions.length;
  const total = headPositions[0]?.length ?? 0;
  const live = headPositions.map((row) => row.reduce((n, p) => n + (p >= 0 ? 1 : 0), 0));
  const dots = tf.tidy(() => {
    let offset = 0;
    const parts = keys.map((k) => {
      const n = k.shape[2] as number;
      const mask = new Float32Array(heads * n);
      headPositions.forEach((row, h) => {
        for (let j = 0; j < n; j++) mask[h * n + j] = (row[offset + j] as number) >= 0 ? 1 : 0;
      });
      offset += n;
      return { unit: l2Normalize(k), mask: tf.tensor4d(mask, [1, heads, n, 1]) };
    });
    const sums = parts.map(({ unit, mask }) => tf.sum(tf.mul(unit, mask), 2, true));
    const sum = sums.length === 1 ? (sums[0] as tf.Tensor) : tf.addN(sums);
    const perSlot = parts.map(({ unit }) => tf.sum(tf.mul(unit, sum), 3));
    return tf.mean(perSlot.length === 1 ? (perSlot[0] as tf.Tensor) : tf.concat(perSlot, 2), 0);
  });
  const values = dots.dataSync() as Float32Array;
  dots.dispose();
  return headPositions.map((row, h) => {
    const out = new Float32Array(total);
    const others = (live[h] as number) - 1;
    if (others <= 0) return out;
    for (let j = 0; j < total; j++) {
      if ((row[j] as number) >= 0) out[j] = ((values[h * total + j] as number) - 1) / others;
    }
    return out;
  });
}
