import { tf } from '../tf.js';

/**
 * The tensors of one page of a layer's KV cache: keys [B, H, n, d] and values of n slots, and — when some slots are
 * dead in some head — the additive mask of those slots ([1, 1 or H, 1, n]: −∞ where dead). Values are [B, H, n, d]
 * while the page grows (appending along the slot axis is a few row copies) and transposed, [B, H, d, n], once
 * sealed: then a few queries read the page as the left operand of both attention products (segmentedAttention; a
 * right operand is repacked on every call on wasm).
 *
 * tfjs has no in-place writes, so growing or compacting a page replaces its tensors; keeping the cache in pages is
 * what bounds the copy of a commit by one page instead of the whole cache. A page owns its tensors (kept out of
 * callers' tidy scopes) and frees the replaced ones. What each slot holds is the cache's bookkeeping.
 */
export class KVPage {
  private keys: tf.Tensor4D;
  private values: tf.Tensor4D;
  private transposed = false;
  private mask: tf.Tensor4D | undefined;
  private maskedDead = 0;

  /** A page of keys and values [B, H, n, d] (the page keeps its own references; the caller keeps its tensors). */
  constructor(k: tf.Tensor4D, v: tf.Tensor4D) {
    this.keys = tf.keep(tf.clone(k));
    this.values = tf.keep(tf.clone(v));
  }

  get k(): tf.Tensor4D {
    return this.keys;
  }

  /** Values [B, H, n, d] while the page grows; undefined once sealed. */
  get v(): tf.Tensor4D | undefined {
    return this.transposed ? undefined : this.values;
  }

  /** Values transposed, [B, H, d, n], once sealed. */
  get vT(): tf.Tensor4D | undefined {
    return this.transposed ? this.values : undefined;
  }

  get bias(): tf.Tensor4D | undefined {
    return this.mask;
  }

  get size(): number {
    return this.keys.shape[2];
  }

  get valueDtype(): tf.DataType {
    return this.values.dtype;
  }

  /** Key and value bytes, each tensor counted with its own dtype. */
  get bytes(): number {
    return this.keys.size * tf.util.bytesPerElement(this.keys.dtype) + this.values.size * tf.util.bytesPerElement(this.values.dtype);
  }

  /** Values [B, H, n, d]: the page's own tensor, or a transposed copy the caller owns when sealed. */
  valuesAsRows(): tf.Tensor4D {
    return this.transposed ? (tf.transpose(this.values, [0, 1, 3, 2]) as tf.Tensor4D) : this.values;
  }

  /** Transposes the values for reading (once, when the page stops growing). */
  seal(): void {
    if (this.transposed) return;
    this.replace(this.keys, tf.transpose(this.values, [0, 1, 3, 2]) as tf.Tensor4D);
    this.transposed = true;
  }

  /** Appends a chunk's keys and values [B, H, t, d]. */
  append(k: tf.Tensor4D, v: tf.Tensor4D): void {
    const values = tf.tidy(() => (this.transposed ? tf.concat([this.values, tf.transpose(v, [0, 1, 3, 2])], 3) : tf.concat([this.values, v], 2)));
    this.replace(tf.concat([this.keys, k], 2) as tf.Tensor4D, values as tf.Tensor4D);
  }

  /**
   * This page's keys and values joined with a chunk's (new tensors in the caller's scope; the page is unchanged),
   * and its mask widened to them: what a chunk that will grow this page attends to.
   */
  joinedWith(k: tf.Tensor4D, v: tf.Tensor4D): { k: tf.Tensor4D; v: tf.Tensor4D; bias?: tf.Tensor4D } {
    if (this.transposed) throw new Error('KVPage.joinedWith: the page is sealed');
    const t = k.shape[2];
    const bias = this.mask && (tf.concat([this.mask, tf.zeros([1, this.mask.shape[1], 1, t])], 3) as tf.Tensor4D);
    return { k: tf.concat([this.keys, k], 2) as tf.Tensor4D, v: tf.concat([this.values, v], 2) as tf.Tensor4D, ...(bias ? { bias } : {}) };
  }

  /** Takes `joinedWith`'s keys and values as this page's (the chunk committed; no second copy). */
  adopt(joined: { k: tf.Tensor4D; v: tf.Tensor4D }): void {
    this.replace(joined.k, joined.v);
  }

  /** Appends the slots of the page that follows (the caller frees it). */
  absorb(next: KVPage): void {
    const values = tf.tidy(() => {
      const other = this.transposed === next.transposed ? next.values : tf.transpose(next.values, [0, 1, 3, 2]);
      return tf.concat([this.values, other], this.transposed ? 3 : 2);
    });
    this.replace(tf.concat([this.keys, next.keys], 2) as tf.Tensor4D, values as tf.Tensor4D);
  }

  /**
   * Keeps, per head, the listed slots (all lists one length; −1 = a padding slot, filled from slot 0 and masked by
   * the caller's next setMask); one gather for every head when the lists agree.
   */
  gather(lists: readonly (readonly number[])[]): void {
    const first = lists[0] ?? [];
    const shared = !first.includes(-1) && lists.every((l) => l === first || l.every((x, i) => x === first[i]));
    const pick = (x: tf.Tensor4D, axis: 2 | 3) =>
      tf.tidy(() => {
        if (shared) return takeSlots(x, first, axis);
        const heads = lists.map((list, h) =>
          takeSlots(tf.slice(x, [0, h, 0, 0], [-1, 1, -1, -1]) as tf.Tensor4D, list.map((i) => Math.max(i, 0)), axis),
        );
        return tf.concat(heads, 1) as tf.Tensor4D;
      });
    this.replace(pick(this.keys, 2), pick(this.values, this.transposed ? 3 : 2));
    this.maskedDead = -1;
  }

  /** Whether the mask was built for another count of dead slots (or before the page grew or was compacted). */
  maskStale(dead: number): boolean {
    return dead !== this.maskedDead;
  }

  /** Rebuilds the mask from the slots' positions per head (−1 = dead) of a page with `dead` dead slots. */
  setMask(rows: readonly (readonly number[])[], dead: number): void {
    this.mask?.dispose();
    this.mask = dead > 0 ? deadSlotBias(rows) : undefined;
    this.maskedDead = dead;
  }

  /** Forces the next setMask to rebuild (the page grew: same dead slots, wider mask). */
  widened(): void {
    if (this.mask) this.maskedDead = -1;
  }

  dispose(): void {
    tf.dispose([this.keys, this.values, ...(this.mask ? [this.mask] : [])]);
    this.mask = undefined;
  }

  private replace(k: tf.Tensor4D, v: tf.Tensor4D): void {
    const old = [this.keys, this.values].filter((t) => t !== k && t !== v);
    this.keys = tf.keep(k);
    this.values = tf.keep(v);
    tf.dispose(old);
  }
}

/**
 * x's slots `list` along `axis`: runs of consecutive slots are sliced (a copy) and joined; many short runs are one
 * gather (wasm's Gather is an element loop: 560 µs for 16 K values, a slice ~20× less).
 */
function takeSlots(x: tf.Tensor4D, list: readonly number[], axis: 2 | 3): tf.Tensor4D {
  const runs: [number, number][] = [];
  for (const slot of list) {
    const run = runs[runs.length - 1];
    if (run && slot === run[0] + run[1]) run[1]++;
    else runs.push([slot, 1]);
  }
  if (runs.length > MAX_SLICED_RUNS) return tf.gather(x, tf.tensor1d([...list], 'int32'), axis) as tf.Tensor4D;
  const parts = runs.map(([start, size]) => {
    const begin = [0, 0, 0, 0];
    const shape = [-1, -1, -1, -1];
    begin[axis] = start;
    shape[axis] = size;
    return tf.slice(x, begin, shape);
  });
  return (parts.length === 1 ? parts[0] : tf.concat(parts, axis)) as tf.Tensor4D;
}

const MAX_SLICED_RUNS = 4;

/** −∞ on dead slots (position < 0), per head ([1, H, 1, n]) or shared ([1, 1, 1, n]); undefined when none is dead. */
function deadSlotBias(rows: readonly (readonly number[])[]): tf.Tensor4D | undefined {
  if (!rows.some((row) => row.some((p) => p < 0))) return undefined;
  const first = rows[0] ?? [];
  const shared = rows.every((row) => row.every((p, i) => p < 0 === (first[i] as number) < 0));
  const used = shared ? [first] : rows;
  const width = first.length;
  const values = new Float32Array(used.length * width);
  used.forEach((row, h) => row.forEach((p, j) => (values[h * width + j] = p < 0 ? -Infinity : 0)));
  return tf.keep(tf.tensor4d(values, [1, used.length, 1, width]));
}
