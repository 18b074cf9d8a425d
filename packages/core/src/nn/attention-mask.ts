import { tf } from '../tf.js';
import { InputError } from '../errors.js';

/**
 * Additive attention masks: 0 where a query may attend to a key, −Infinity where it may not, as [Lq, Lk]
 * float32 tensors added to the attention logits (broadcast over batch and heads). The builders return new
 * tensors the caller owns; `AttentionMaskCache` keeps them by key for reuse.
 *
 * Masks are stated on absolute token positions: a query at position p and a key at position q. With a KV cache
 * the keys are the cache's slots (`LayerKVCache.positions`, −1 on dead ones) followed by the chunk's own keys;
 * `contextMask` builds such a mask from a rule.
 */
export type VisibilityRule = (queryPosition: number, keyPosition: number) => boolean;

/** Every query sees only keys with visible(p, q); a query that sees no key at all is an error (its softmax is NaN). */
export function maskFromPositions(
  queryPositions: readonly number[],
  keyPositions: readonly number[],
  visible: VisibilityRule,
): tf.Tensor2D {
  const lq = queryPositions.length;
  const lk = keyPositions.length;
  const values = new Float32Array(lq * lk);
  for (let i = 0; i < lq; i++) {
    const p = queryPositions[i] as number;
    let any = false;
    for (let j = 0; j < lk; j++) {
      const ok = visible(p, keyPositions[j] as number);
      values[i * lk + j] = ok ? 0 : -Infinity;
      any ||= ok;
    }
    if (!any) throw new RangeError(`attention mask: query at position ${p} sees no key`);
  }
  return tf.tensor2d(values, [lq, lk]);
}

/** 0, 1, …, n−1 shifted by `start`. */
export function range(start: number, length: number): number[] {
  return Array.from({ length }, (_, i) => start + i);
}

/**
 * Causal mask for `queryLength` queries at positions offset … offset+Lq−1 over keys 0 … keyLength−1
 * (default offset + Lq, the cache's earlier tokens then this step's): query p sees key q iff q ≤ p.
 */
export function causalMask(queryLength: number, options: { offset?: number; keyLength?: number } = {}): tf.Tensor2D {
  const offset = options.offset ?? 0;
  const keyLength = options.keyLength ?? offset + queryLength;
  return maskFromPositions(range(offset, queryLength), range(0, keyLength), (p, q) => q <= p);
}

/**
 * Block-causal mask from a group id per position (VAR scales, text blocks, video chunks): query p sees key q
 * iff group(q) ≤ group(p), so a block sees itself and every earlier block. Queries are positions
 * `queryStart` … end (default all); keys are every position. Group ids need not be sorted.
 */
export function blockCausalMask(groupIds: readonly number[], options: { queryStart?: number } = {}): tf.Tensor2D {
  const queryStart = options.queryStart ?? 0;
  const group = (position: number) => groupIds[position] as number;
  return maskFromPositions(range(queryStart, groupIds.length - queryStart), range(0, groupIds.length), (p, q) =>
    group(q) <= group(p),
  );
}

/** Group ids for blocks of the given sizes: [1, 4, 9] → [0, 1,1,1,1, 2,…,2] (VAR: patch_nums squared). */
export function groupIdsFromSizes(sizes: readonly number[]): number[] {
  return sizes.flatMap((size, group) => Array.from({ length: size }, () => group));
}

export interface SlidingWindowOptions {
  /** Each query sees itself and the window−1 keys before it. */
  readonly window: number;
  /** The first `sinkTokens` positions stay visible to every later query (StreamingLLM attention sinks). */
  readonly sinkTokens?: number;
  readonly offset?: number;
  readonly keyLength?: number;
}

/** Causal sliding-window mask: query p sees key q iff q ≤ p and (p − q < window or q < sinkTokens). */
export function slidingWindowMask(queryLength: number, options: SlidingWindowOptions): tf.Tensor2D {
  const offset = options.offset ?? 0;
  const keyLength = options.keyLength ?? offset + queryLength;
  const sinks = options.sinkTokens ?? 0;
  return maskFromPositions(range(offset, queryLength), range(0, keyLength), (p, q) =>
    q <= p && (p - q < options.window || q < sinks),
  );
}

/** Sum of additive masks (a key is visible iff every mask allows it); broadcasts like tf.add. */
export function combineMasks(...masks: tf.Tensor[]): tf.Tensor {
  if (masks.length === 0) throw new RangeError('combineMasks needs at least one mask');
  return tf.tidy(() => masks.slice(1).reduce<tf.Tensor>((sum, m) => tf.add(sum, m), tf.clone(masks[0] as tf.Tensor)));
}

/**
 * Key padding mask [B, 1, 1, Lk] from booleans per batch row (true = a real key), broadcasting over heads and
 * queries of [B, H, Lq, Lk] logits.
 */
export function keyPaddingMask(keep: readonly (readonly boolean[])[]): tf.Tensor4D {
  const batch = keep.length;
  const lk = keep[0]?.length ?? 0;
  const values = new Float32Array(batch * lk);
  keep.forEach((row, b) => {
    if (row.length !== lk) throw new RangeError('keyPaddingMask: rows of different lengths');
    row.forEach((ok, j) => (values[b * lk + j] = ok ? 0 : -Infinity));
  });
  return tf.tensor4d(values, [batch, 1, 1, lk]);
}

/** Key padding mask [B, 1, 1, Lk] for right-padded rows of the given lengths. */
export function lengthMask(lengths: readonly number[], keyLength: number): tf.Tensor4D {
  return keyPaddingMask(lengths.map((n) => Array.from({ length: keyLength }, (_, j) => j < n)));
}

/**
 * Keeps masks by a caller-chosen key (e.g. `causal:${lq}:${offset}`), built once; the masks are owned by the
 * cache — do not dispose them — and freed by `dispose()`.
 */
export class AttentionMaskCache {
  private readonly masks = new Map<string, tf.Tensor>();

  get<T extends tf.Tensor>(key: string, build: () => T): T {
    const found = this.masks.get(key);
    if (found && !found.isDisposed) return found as T;
    const mask = tf.keep(build());
    this.masks.set(key, mask);
    return mask;
  }

  get size(): number {
    return this.masks.size;
  }

  dispose(): void {
    for (const mask of this.masks.values()) mask.dispose();
    this.masks.clear();
  }
}

/** Throws an InputError unless the additive `mask` broadcasts to `shape` (e.g. logits [B, H, Lq, Lk]). */
export function checkMaskShape(mask: tf.Tensor, shape: readonly number[], what: string): void {
  const lead = shape.length - mask.rank;
  const fits = lead >= 0 && mask.shape.every((n, i) => n === 1 || n === shape[lead + i]);
  if (!fits) {
    throw new InputError(`${what}: mask [${mask.shape}] does not broadcast to [${shape}] (queries × cached slots + chunk keys)`);
  }
}
