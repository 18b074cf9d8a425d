import { tf } from '../tf.js';

/** A run of keys and values [B, H, n, d] (a KV-cache page, a chunk) with an optional additive bias [.., n]. */
export interface AttentionSegment {
  readonly k: tf.Tensor;
  readonly v: tf.Tensor;
  readonly bias?: tf.Tensor | undefined;
}

export interface SegmentedAttentionOptions {
  readonly scale: number;
  /** Additive mask broadcast to [B, H, Lq, Lk] over every segment's keys in order. */
  readonly mask?: tf.Tensor | undefined;
  /** Applied to the probabilities before they weight the values (attention dropout). */
  readonly dropProbs?: (probs: tf.Tensor) => tf.Tensor;
}

/**
 * softmax(q·kᵀ·scale + bias + mask)·v for q [B, H, Lq, d] over keys held in segments, without joining the keys:
 * the logits of each segment are concatenated for one softmax (their size is Lq per key, not d), and p·v is summed
 * over segments. Returns the heads [B, H, Lq, dv] and the probabilities [B, H, Lq, Lk]. Products are batched
 * matMuls of [B·H, ·, d].
 */
export function segmentedAttention(
  q: tf.Tensor,
  segments: readonly AttentionSegment[],
  options: SegmentedAttentionOptions,
): { heads: tf.Tensor; probs: tf.Tensor } {
  const [batch, numHeads, length, dim] = q.shape as [number, number, number, number];
  const bh = batch * numHeads;
  const q3 = tf.reshape(q, [bh, length, dim]);
  const sizes = segments.map((s) => s.k.shape[2] as number);
  const parts = segments.map((s, i) => {
    const k3 = tf.reshape(s.k, [bh, sizes[i] as number, dim]);
    const logits = tf.reshape(tf.matMul(q3, k3, false, true), [batch, numHeads, length, sizes[i] as number]);
    return s.bias ? tf.add(logits, s.bias) : logits;
  });
  let logits = parts.length === 1 ? (parts[0] as tf.Tensor) : tf.concat(parts, 3);
  if (options.scale !== 1) logits = tf.mul(logits, options.scale);
  if (options.mask) logits = tf.add(logits, options.mask);
  const probs = tf.softmax(logits, -1);
  const weights = options.dropProbs ? options.dropProbs(probs) : probs;
  const pieces = segments.length === 1 ? [weights] : tf.split(weights, sizes, 3);
  const products = segments.map((s, i) => {
    const n = sizes[i] as number;
    const v3 = tf.reshape(s.v, [bh, n, s.v.shape[3] as number]);
    return tf.matMul(tf.reshape(pieces[i] as tf.Tensor, [bh, length, n]), v3);
  });
  const summed = products.length === 1 ? (products[0] as tf.Tensor) : tf.addN(products);
  return { heads: tf.reshape(summed, [batch, numHeads, length, summed.shape[2] as number]), probs };
}
