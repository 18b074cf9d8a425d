import { tf } from '../tf.js';
import { InputError } from '../errors.js';
import type { CacheBudget, EvictionPolicy, KeepPlan } from './eviction-policy.js';
import { keepRecent } from './eviction-policies.js';

export interface LayerKVCacheOptions {
  /** Eviction rule applied when an append would exceed the budget (default keep-recent). */
  readonly policy?: EvictionPolicy;
  readonly budget?: CacheBudget;
}

/**
 * Keys and values of one attention layer, [B, H, T, d], for incremental decoding. The cache owns its tensors
 * (kept out of callers' tidy scopes with tf.keep) and frees the old ones on every replace. Every slot has an
 * absolute token position per head (for masks and for RoPE, which is applied before appending); a per-head
 * eviction plan leaves padding slots (position −1) that `keyBias()` masks out.
 */
export class LayerKVCache {
  readonly policy: EvictionPolicy;
  readonly budget: CacheBudget;
  private k: tf.Tensor4D | undefined;
  private v: tf.Tensor4D | undefined;
  private bias: tf.Tensor4D | undefined;
  private headPos: number[][] = [];
  private scores: Float32Array[] | undefined;
  private next = 0;

  constructor(options: LayerKVCacheOptions = {}) {
    this.policy = options.policy ?? keepRecent();
    this.budget = options.budget ?? {};
  }

  /** Slots held (tokens, plus padding slots after a per-head plan). */
  get length(): number {
    return this.k?.shape[2] ?? 0;
  }

  /** Position the next appended token gets (tokens appended minus tokens rolled back). */
  get nextPosition(): number {
    return this.next;
  }

  /** Positions of head 0's slots (all heads' unless a per-head plan was applied). */
  get positions(): readonly number[] {
    return this.headPos[0] ?? [];
  }

  headPositions(head: number): readonly number[] {
    return this.headPos[head] ?? [];
  }

  /** Bytes of key and value storage. */
  get bytes(): number {
    return this.k && this.v ? (this.k.size + this.v.size) * 4 : 0;
  }

  get wantsAttention(): boolean {
    return this.policy.needsScores;
  }

  /**
   * Appends this step's keys and values [B, H, t, d] at positions nextPosition … +t−1 (or the given ones), then
   * evicts by the policy if the budget is exceeded. The cache keeps its own references: the caller still owns
   * (and may dispose) `k` and `v`.
   */
  append(k: tf.Tensor, v: tf.Tensor, positions?: readonly number[]): void {
    this.checkShapes(k, v);
    const t = k.shape[2] as number;
    const pos = positions ?? Array.from({ length: t }, (_, i) => this.next + i);
    if (pos.length !== t) throw new InputError(`LayerKVCache.append: ${pos.length} positions for ${t} tokens`);
    const heads = k.shape[1] as number;
    if (this.headPos.length === 0) this.headPos = Array.from({ length: heads }, () => []);
    this.headPos = this.headPos.map((row) => [...row, ...pos]);
    this.scores = this.scores?.map((row) => concatFloat(row, new Float32Array(t)));
    if (this.policy.needsScores && !this.scores) {
      this.scores = Array.from({ length: heads }, () => new Float32Array(this.headPos[0]?.length ?? 0));
    }
    this.replace(
      (this.k ? tf.concat([this.k, k as tf.Tensor4D], 2) : tf.clone(k)) as tf.Tensor4D,
      (this.v ? tf.concat([this.v, v as tf.Tensor4D], 2) : tf.clone(v)) as tf.Tensor4D,
      this.bias ? tf.tidy(() => tf.concat([this.bias as tf.Tensor4D, tf.zeros([1, heads, 1, t]) as tf.Tensor4D], 3)) : undefined,
    );
    this.next = Math.max(this.next, ...pos.map((p) => p + 1));
    this.enforceBudget();
  }

  /** Keys and values [B, H, T, d], owned by the cache (do not dispose; valid until the next change). */
  read(): { k: tf.Tensor4D; v: tf.Tensor4D } {
    if (!this.k || !this.v) throw new InputError('LayerKVCache.read: the cache is empty');
    return { k: this.k, v: this.v };
  }

  /** Additive [1, H, 1, T] mask of padding slots, when a per-head plan left some; owned by the cache. */
  keyBias(): tf.Tensor4D | undefined {
    return this.bias;
  }

  /** Adds attention probabilities [B, H, Lq, T] over this cache's slots to the accumulated scores. */
  recordAttention(probs: tf.Tensor): void {
    if (!this.scores) return;
    const [, heads, , slots] = probs.shape as number[];
    if (slots !== this.length || heads !== this.headPos.length) {
      throw new InputError(`LayerKVCache.recordAttention: probabilities [${probs.shape}] for ${this.length} slots`);
    }
    const summed = tf.tidy(() => tf.sum(probs, [0, 2]));
    const values = summed.dataSync();
    summed.dispose();
    this.scores.forEach((row, h) => {
      for (let j = 0; j < row.length; j++) row[j] = (row[j] as number) + (values[h * (slots as number) + j] as number);
    });
  }

  /** The accumulated attention per head ([H][T]), if the policy tracks it. */
  attentionScores(): readonly Float32Array[] | undefined {
    return this.scores;
  }

  /** Undoes the last n appended tokens (speculative decoding): drops slots at positions ≥ nextPosition − n. */
  rollback(n: number): void {
    if (n < 0 || n > this.next) throw new InputError(`LayerKVCache.rollback(${n}) with ${this.next} positions`);
    const cut = this.next - n;
    this.applyPlan({ perHead: this.headPos.map((row) => indicesWhere(row, (p) => p >= 0 && p < cut)) });
    this.next = cut;
  }

  /** Keeps the first `length` slots; nextPosition continues after the last kept token. */
  truncate(length: number): void {
    if (length < 0 || length > this.length) throw new InputError(`LayerKVCache.truncate(${length}) of ${this.length}`);
    this.applyPlan({ shared: Array.from({ length }, (_, i) => i) });
    this.next = Math.max(0, ...this.headPos.flat().map((p) => p + 1));
  }

  /** Empties the cache and frees its tensors; positions start again at 0. */
  clear(): void {
    this.release();
    this.next = 0;
  }

  /** Drops every slot (positions continue where they were). */
  private release(): void {
    this.replace(undefined, undefined, undefined);
    this.headPos = [];
    this.scores = undefined;
  }

  dispose(): void {
    this.clear();
  }

  /** The most slots the budget allows, given the per-token size of this cache. */
  maxSlots(): number {
    let max = this.budget.tokens ?? Infinity;
    if (this.budget.bytes !== undefined && this.k) {
      const [batch, heads, , dim] = this.k.shape;
      max = Math.min(max, Math.floor(this.budget.bytes / (2 * batch * heads * dim * 4)));
    }
    return max;
  }

  private enforceBudget(): void {
    const budget = this.maxSlots();
    if (this.length <= budget) return;
    const plan = this.policy.select({
      length: this.length,
      numHeads: this.headPos.length,
      headPositions: this.headPos,
      scores: this.scores,
      budget,
    });
    const lists = 'shared' in plan ? [plan.shared] : plan.perHead;
    for (const list of lists) {
      if (list.length > budget) throw new InputError(`eviction policy '${this.policy.name}' kept ${list.length} > ${budget}`);
    }
    this.applyPlan(plan);
  }

  /** Gathers the kept slots (per head if needed), padding shorter heads with masked slots. */
  private applyPlan(plan: KeepPlan): void {
    if (!this.k || !this.v) return;
    const heads = this.headPos.length;
    const perHead = 'shared' in plan ? undefined : plan.perHead;
    const shared = 'shared' in plan ? plan.shared : uniformList(plan.perHead);
    for (const list of perHead ?? [shared ?? []]) checkSorted(list, this.length);
    if ((perHead ?? [shared ?? []]).every((list) => list.length === 0)) {
      this.release();
      return;
    }
    if (shared && !this.bias) {
      const idx = shared;
      this.replace(gatherSlots(this.k, idx), gatherSlots(this.v, idx), undefined);
      this.headPos = this.headPos.map((row) => idx.map((i) => row[i] as number));
      this.scores = this.scores?.map((row) => Float32Array.from(idx, (i) => row[i] as number));
    } else {
      const lists = perHead ?? Array.from({ length: heads }, () => shared ?? []);
      const rows = lists.map((list, h) => list.filter((i) => (this.headPos[h]?.[i] ?? -1) >= 0));
      const width = Math.max(0, ...rows.map((r) => r.length));
      const padded = rows.map((r) => [...r, ...Array.from({ length: width - r.length }, () => -1)]);
      const k = this.k;
      const v = this.v;
      this.replace(gatherPerHead(k, padded), gatherPerHead(v, padded), padBias(padded));
      this.headPos = padded.map((r, h) => r.map((i) => (i < 0 ? -1 : (this.headPos[h]?.[i] as number))));
      this.scores = this.scores?.map((row, h) => Float32Array.from(padded[h] ?? [], (i) => (i < 0 ? 0 : (row[i] as number))));
      if (!padded.some((r) => r.includes(-1)) && this.bias) this.replace(this.k, this.v, undefined);
    }
  }

  private replace(k: tf.Tensor4D | undefined, v: tf.Tensor4D | undefined, bias: tf.Tensor4D | undefined): void {
    const old = [this.k, this.v, this.bias];
    this.k = k && tf.keep(k);
    this.v = v && tf.keep(v);
    this.bias = bias && tf.keep(bias);
    for (const t of old) if (t && t !== this.k && t !== this.v && t !== this.bias) t.dispose();
  }

  private checkShapes(k: tf.Tensor, v: tf.Tensor): void {
    if (k.rank !== 4 || v.rank !== 4) throw new InputError(`LayerKVCache.append: expected [B, H, t, d], got [${k.shape}]`);
    const [b, h, t] = k.shape;
    if (v.shape[0] !== b || v.shape[1] !== h || v.shape[2] !== t) {
      throw new InputError(`LayerKVCache.append: keys [${k.shape}] and values [${v.shape}] differ`);
    }
    if (this.k && this.v) {
      const [cb, ch, , cd] = this.k.shape;
      if (b !== cb || h !== ch || k.shape[3] !== cd || v.shape[3] !== this.v.shape[3]) {
        throw new InputError(`LayerKVCache.append: [${k.shape}] does not continue the cache [${this.k.shape}]`);
      }
    }
  }
}

function concatFloat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function indicesWhere(row: readonly number[], keep: (p: number) => boolean): number[] {
  const out: number[] = [];
  row.forEach((p, i) => keep(p) && out.push(i));
  return out;
}

function uniformList(lists: readonly (readonly number[])[]): readonly number[] | undefined {
  const first = lists[0];
  if (!first) return undefined;
  return lists.every((l) => l.length === first.length && l.every((x, i) => x === first[i])) ? first : undefined;
}

function checkSorted(list: readonly number[], length: number): void {
  list.forEach((i, n) => {
    if (!Number.isInteger(i) || i < 0 || i >= length || (n > 0 && i <= (list[n - 1] as number))) {
      throw new InputError(`eviction plan: slot list must be sorted unique indices in [0, ${length}), got [${list.join(',')}]`);
    }
  });
}

function gatherSlots(x: tf.Tensor4D, indices: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => tf.gather(x, tf.tensor1d([...indices], 'int32'), 2));
}

/** Per head h, slots rows[h] (−1 = padding, filled from slot 0 and masked by the bias). */
function gatherPerHead(x: tf.Tensor4D, rows: readonly (readonly number[])[]): tf.Tensor4D {
  return tf.tidy(() => {
    const heads = rows.map((row, h) => {
      const head = tf.slice(x, [0, h, 0, 0], [-1, 1, -1, -1]);
      return tf.gather(head, tf.tensor1d(row.map((i) => Math.max(i, 0)), 'int32'), 2);
    });
    return tf.concat(heads, 1) as tf.Tensor4D;
  });
}

function padBias(rows: readonly (readonly number[])[]): tf.Tensor4D | undefined {
  if (!rows.some((r) => r.includes(-1))) return undefined;
  const width = rows[0]?.length ?? 0;
  const values = new Float32Array(rows.length * width);
  rows.forEach((r, h) => r.forEach((i, j) => (values[h * width + j] = i < 0 ? -Infinity : 0)));
  return tf.tensor4d(values, [1, rows.length, 1, width]);
}
