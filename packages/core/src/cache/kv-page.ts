import { tf } from '../tf.js';

/** What one page records of a run of slots, per head: absolute positions (−1 = dead), group ids, scores. */
export interface SlotRecords {
  readonly positions: readonly (readonly number[])[];
  readonly groups: readonly (readonly number[])[];
  /** Accumulated attention per head, when a score-based policy is used. */
  readonly scores?: readonly Float32Array[];
}

/**
 * One page of a layer's KV cache: keys and values [B, H, n, d] of n slots, what each slot holds per head, and —
 * when some slots are dead in some head — the additive mask of those slots ([1, 1 or H, 1, n]: −∞ where dead).
 * tfjs has no in-place writes, so growing or compacting a page replaces its tensors; keeping the cache in pages is
 * what bounds the copy of a commit by one page instead of the whole cache. A page owns its tensors (kept out of
 * callers' tidy scopes) and frees the replaced ones.
 */
export class KVPage {
  private keys: tf.Tensor4D;
  private values: tf.Tensor4D;
  private mask: tf.Tensor4D | undefined;
  private maskedDead = 0;
  private pos: number[][];
  private grp: number[][];
  private sc: Float32Array[] | undefined;
  private live: number[];

  /** A page of a chunk's keys and values (shared with the caller's tensors, not copied). */
  constructor(k: tf.Tensor4D, v: tf.Tensor4D, records: SlotRecords) {
    this.keys = tf.keep(tf.clone(k));
    this.values = tf.keep(tf.clone(v));
    this.pos = records.positions.map((row) => [...row]);
    this.grp = records.groups.map((row) => [...row]);
    this.sc = records.scores?.map((row) => Float32Array.from(row));
    this.live = this.pos.map(liveCount);
    this.refreshMask();
  }

  get k(): tf.Tensor4D {
    return this.keys;
  }

  get v(): tf.Tensor4D {
    return this.values;
  }

  get bias(): tf.Tensor4D | undefined {
    return this.mask;
  }

  get size(): number {
    return this.keys.shape[2];
  }

  get positions(): readonly (readonly number[])[] {
    return this.pos;
  }

  get groups(): readonly (readonly number[])[] {
    return this.grp;
  }

  get scores(): readonly Float32Array[] | undefined {
    return this.sc;
  }

  /** Tokens held per head. */
  liveTokens(head: number): number {
    return this.live[head] ?? 0;
  }

  /** The most tokens any head holds here (the width a compaction keeps). */
  get widest(): number {
    return Math.max(0, ...this.live);
  }

  /** (head, slot) pairs that hold no token. */
  get deadSlots(): number {
    return this.live.reduce((sum, n) => sum + this.size - n, 0);
  }

  /** Key and value bytes, each tensor counted with its own dtype. */
  get bytes(): number {
    return this.keys.size * tf.util.bytesPerElement(this.keys.dtype) + this.values.size * tf.util.bytesPerElement(this.values.dtype);
  }

  /** Appends slots: a chunk's keys and values with their records, or a following page's (which the caller frees). */
  append(k: tf.Tensor4D, v: tf.Tensor4D, records: SlotRecords): void {
    this.replace(tf.concat([this.keys, k], 2) as tf.Tensor4D, tf.concat([this.values, v], 2) as tf.Tensor4D);
    records.positions.forEach((row, h) => this.pos[h]?.push(...row));
    records.groups.forEach((row, h) => this.grp[h]?.push(...row));
    if (this.sc) this.sc = this.sc.map((row, h) => joinFloats(row, records.scores?.[h], records.positions[h]?.length ?? 0));
    this.live = this.pos.map(liveCount);
    if (this.mask) this.maskedDead = -1; // same dead slots, wider page: the mask is rebuilt
    this.refreshMask();
  }

  /** Adds attention received, per head, to the scores of this page's slots (read from `sums` at `offset`). */
  addScores(sums: readonly Float32Array[], offset: number): void {
    this.sc?.forEach((row, h) => {
      const add = sums[h] as Float32Array;
      for (let j = 0; j < row.length; j++) if ((this.pos[h]?.[j] as number) >= 0) row[j] = (row[j] as number) + (add[offset + j] as number);
    });
  }

  /** Marks a slot dead in one head; the mask follows at the next refreshMask(). */
  kill(head: number, slot: number): void {
    const row = this.pos[head] as number[];
    if ((row[slot] as number) < 0) return;
    row[slot] = -1;
    if (this.sc) (this.sc[head] as Float32Array)[slot] = 0;
    this.live[head] = (this.live[head] as number) - 1;
  }

  /** Rebuilds the mask if slots died since it was built. */
  refreshMask(): void {
    const dead = this.deadSlots;
    if (dead === this.maskedDead) return;
    this.mask?.dispose();
    this.mask = deadSlotBias(this.pos);
    this.maskedDead = dead;
  }

  /**
   * Keeps only live slots: per head its live slots in order, padded to the widest head with dead slots (filled
   * from slot 0, masked); one gather for every head when they agree.
   */
  compact(): void {
    const width = this.widest;
    const lists = this.pos.map((row) => {
      const live = row.flatMap((p, j) => (p >= 0 ? [j] : []));
      return [...live, ...Array.from({ length: width - live.length }, () => -1)];
    });
    const first = lists[0] ?? [];
    const shared = lists.every((l) => l.every((x, i) => x === first[i])) && !first.includes(-1);
    const pick = (x: tf.Tensor4D) =>
      tf.tidy(() => {
        if (shared) return tf.gather(x, tf.tensor1d(first, 'int32'), 2) as tf.Tensor4D;
        const heads = lists.map((list, h) =>
          tf.gather(tf.slice(x, [0, h, 0, 0], [-1, 1, -1, -1]), tf.tensor1d(list.map((i) => Math.max(i, 0)), 'int32'), 2),
        );
        return tf.concat(heads, 1) as tf.Tensor4D;
      });
    this.replace(pick(this.keys), pick(this.values));
    const select = <T>(rows: readonly ArrayLike<T>[], dead: T) => lists.map((list, h) => list.map((j) => (j < 0 ? dead : (rows[h]?.[j] as T))));
    this.pos = select(this.pos, -1);
    this.grp = select(this.grp, -1);
    if (this.sc) this.sc = select(this.sc, 0).map((row) => Float32Array.from(row));
    this.live = this.pos.map(liveCount);
    this.maskedDead = -1;
    this.refreshMask();
  }

  dispose(): void {
    tf.dispose([this.keys, this.values, ...(this.mask ? [this.mask] : [])]);
    this.mask = undefined;
  }

  private replace(k: tf.Tensor4D, v: tf.Tensor4D): void {
    const old = [this.keys, this.values];
    this.keys = tf.keep(k);
    this.values = tf.keep(v);
    tf.dispose(old);
  }
}

function liveCount(row: readonly number[]): number {
  let n = 0;
  for (const p of row) if (p >= 0) n++;
  return n;
}

function joinFloats(a: Float32Array, b: Float32Array | undefined, extra: number): Float32Array {
  const out = new Float32Array(a.length + extra);
  out.set(a);
  if (b) out.set(b, a.length);
  return out;
}

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
