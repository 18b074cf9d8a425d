import { tf } from '../tf.js';

/**
 * A run of keys [B, H, n, d] (a KV-cache page, a chunk) with its values, as `v` [B, H, n, dv] or transposed as `vT`
 * [B, H, dv, n] (how cache pages keep them), and an optional additive bias broadcast to [B, H, Lq, n].
 */
export interface AttentionSegment {
  readonly k: tf.Tensor;
  readonly v?: tf.Tensor;
  readonly vT?: tf.Tensor;
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
 * Up to this many queries, the products take the keys and the transposed values as their left operands:
 * (k·qᵀ)ᵀ and (vᵀ·pᵀ)ᵀ. On wasm a right operand is repacked by XNNPACK on every call, so q·kᵀ over a cache of
 * n keys repacks n·d values for one query; this way only the queries and the probabilities are (one query over
 * 4,096 keys × 4 heads of 64: 18 → 7.7 ms and 4.9 → 1.2 ms, bench/kv-cache-append.ts). More queries amortise the
 * packing.
 */
const KEY_MAJOR_QUERIES = 16;

/**
 * softmax(q·kᵀ·scale + bias + mask)·v for q [B, H, Lq, d] over keys held in segments, without joining the keys:
 * the logits of each segment are concatenated for one softmax (Lq values per key, not d), and p·v is summed over
 * segments. Returns the heads [B, H, Lq, dv] and the probabilities [B, H, Lq, Lk]. Products are batched matMuls
 * of [B·H, ·, ·].
 */
export function segmentedAttention(
  q: tf.Tensor,
  segments: readonly AttentionSegment[],
  options: SegmentedAttentionOptions,
): { heads: tf.Tensor; probs: tf.Tensor } {
  const [batch, numHeads, length, dim] = q.shape as [number, number, number, number];
  if (worthJoining(segments, length, dim)) return tf.tidy(() => segmentedAttention(q, [joinSegments(segments)], options));
  const bh = batch * numHeads;
  const keyMajor = length <= KEY_MAJOR_QUERIES;
  const q3 = tf.reshape(q, [bh, length, dim]);
  const sizes = segments.map((s) => s.k.shape[2] as number);
  const parts = segments.map((s, i) => {
    const n = sizes[i] as number;
    const k3 = tf.reshape(s.k, [bh, n, dim]);
    const logits = keyMajor ? swapLast(tf.matMul(k3, q3, false, true)) : tf.matMul(q3, k3, false, true);
    const shaped = tf.reshape(logits, [batch, numHeads, length, n]);
    return s.bias ? tf.add(shaped, s.bias) : shaped;
  });
  let logits = parts.length === 1 ? (parts[0] as tf.Tensor) : tf.concat(parts, 3);
  if (options.scale !== 1) logits = tf.mul(logits, options.scale);
  if (options.mask) logits = tf.add(logits, options.mask);
  const probs = tf.softmax(logits, -1);
  const weights = options.dropProbs ? options.dropProbs(probs) : probs;
  const pieces = segments.length === 1 ? [weights] : tf.split(weights, sizes, 3);
  const products = segments.map((s, i) => {
    const n = sizes[i] as number;
    const p3 = tf.reshape(pieces[i] as tf.Tensor, [bh, length, n]);
    if (s.vT) {
      const vT3 = tf.reshape(s.vT, [bh, s.vT.shape[2] as number, n]);
      return keyMajor ? swapLast(tf.matMul(vT3, p3, false, true)) : tf.matMul(p3, vT3, false, true);
    }
    const v = s.v as tf.Tensor;
    return tf.matMul(p3, tf.reshape(v, [bh, n, v.shape[3] as number]));
  });
  const summed = products.length === 1 ? (products[0] as tf.Tensor) : tf.addN(products);
  return { heads: tf.reshape(summed, [batch, numHeads, length, summed.shape[2] as number]), probs };
}

const valueWidth = (s: AttentionSegment) => (s.v ? (s.v.shape[3] as number) : ((s.vT as tf.Tensor).shape[2] as number));

/**
 * Joining the segments' keys and values costs (d + dv)·n copied values per head; keeping them apart costs 2·Lq·n
 * (the logits joined for the softmax, the probabilities split again for p·v). Many queries (a VAR scale of 256
 * tokens over 680 keys: 22 MB of probabilities split per layer) make joining cheaper. Biased segments stay apart.
 */
function worthJoining(segments: readonly AttentionSegment[], queries: number, dim: number): boolean {
  return segments.length > 1 && segments.every((s) => !s.bias) && 2 * queries > dim + valueWidth(segments[0] as AttentionSegment);
}

/** One segment of all the keys, in order, with the values transposed ([B, H, dv, n], as cache pages keep them). */
function joinSegments(segments: readonly AttentionSegment[]): AttentionSegment {
  const k = tf.concat(segments.map((s) => s.k), 2);
  if (segments.every((s) => s.v)) return { k, v: tf.concat(segments.map((s) => s.v as tf.Tensor), 2) };
  return { k, vT: tf.concat(segments.map((s) => s.vT ?? tf.transpose(s.v as tf.Tensor, [0, 1, 3, 2])), 3) };
}

/** [N, a, b] → [N, b, a]; a reshape when either side is 1. */
function swapLast(x: tf.Tensor): tf.Tensor {
  const [n, a, b] = x.shape as [number, number, number];
  return a === 1 || b === 1 ? tf.reshape(x, [n, b, a]) : tf.transpose(x, [0, 2, 1]);
}
