import { z } from 'zod';
import { tf } from '../tf.js';
import { InputError } from '../errors.js';
import { parseConfig } from '../config/parse-config.js';
import type { CacheBudget, EvictionPolicy, EvictionUnit, KeepPlan } from './eviction-policy.js';
import { keepRecent } from './eviction-policies.js';
import { KVPage, type SlotRecords } from './kv-page.js';

export interface LayerKVCacheOptions {
  /** Eviction rule applied when a commit takes the cache over budget (default keep-recent). */
  readonly policy?: EvictionPolicy;
  readonly budget?: CacheBudget;
  /** Evict single tokens (default) or whole groups (a frame, a block: see `CommitOptions.group`), never split. */
  readonly evictBy?: EvictionUnit;
  /**
   * Slots per page (default 128). A commit copies at most the last page (tfjs has no in-place writes); attention
   * runs one product per page. `Infinity` keeps one growing tensor (a copy of the whole cache per commit).
   */
  readonly pageSize?: number;
}

export interface CommitOptions {
  /** Absolute positions of the chunk's tokens (default nextPosition …). */
  readonly positions?: readonly number[];
  /** Group id of the chunk, or one per token (default: one new group per commit). */
  readonly group?: number | readonly number[];
  /**
   * Attention probabilities [B, H, Lq, length + t] of the pass that produced this chunk, over the cache's slots then
   * the chunk's: accumulated into the scores of score-based policies (H2O).
   */
  readonly attention?: tf.Tensor;
}

/** A run of cache slots as attention reads them: keys, values [B, H, n, d], and the mask of its dead slots. */
export interface CacheSegment {
  readonly k: tf.Tensor4D;
  readonly v: tf.Tensor4D;
  /** [1, 1 or H, 1, n], −∞ on dead slots; absent when every slot holds a token in every head. */
  readonly bias?: tf.Tensor4D;
}

const optionsSchema = z.object({
  budget: z
    .object({ tokens: z.number().int().nonnegative().optional(), bytes: z.number().nonnegative().optional() })
    .strict()
    .optional(),
  evictBy: z.enum(['token', 'group']).optional(),
  pageSize: z.union([z.number().int().positive(), z.literal(Infinity)]).optional(),
});

interface ChunkShape {
  readonly batch: number;
  readonly heads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly keyBytes: number;
  readonly valueBytes: number;
}

/**
 * Keys and values of one attention layer, [B, H, T, d], for chunked generation. Attention reads the cache and a
 * chunk's own keys together (`segments()` + the chunk), then commits the chunk: eviction happens at commit, so a
 * chunk always sees the context its mask allows. Storage is a list of pages: a commit grows only the last page,
 * evicted slots die (masked at once) and their pages are compacted lazily — when half dead, when last, or when a
 * byte budget needs the room — so neither growth nor eviction copies the whole cache per step.
 *
 * Every slot has an absolute token position per head (−1 = dead in that head) and a group id; masks over
 * [cache + chunk] are stated on these (`positions`, `headPositions`, `contextMask`). RoPE is applied before
 * committing, so cached keys keep their absolute positions.
 */
export class LayerKVCache {
  readonly policy: EvictionPolicy;
  readonly budget: CacheBudget;
  readonly evictBy: EvictionUnit;
  readonly pageSize: number;
  private pages: KVPage[] = [];
  private shape: ChunkShape | undefined;
  private next = 0;
  private nextGroup = 0;
  private view: Joined | undefined;
  private flat: FlatRecords | undefined;

  constructor(options: LayerKVCacheOptions = {}) {
    const { policy, ...rest } = options;
    const parsed = parseConfig(optionsSchema, rest, 'KV cache options');
    this.policy = policy ?? keepRecent();
    this.budget = parsed.budget ?? {};
    this.evictBy = parsed.evictBy ?? 'token';
    this.pageSize = parsed.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  /** Slots held: tokens, plus dead slots awaiting reclamation (they are masked). */
  get length(): number {
    return this.pages.reduce((sum, page) => sum + page.size, 0);
  }

  /** Position the next committed token gets (tokens committed minus tokens rolled back). */
  get nextPosition(): number {
    return this.next;
  }

  /** Positions of head 0's slots, −1 on dead ones (all heads' unless a per-head plan was applied). */
  get positions(): readonly number[] {
    return this.records().positions[0] ?? [];
  }

  headPositions(head: number): readonly number[] {
    return this.records().positions[head] ?? [];
  }

  /** Group id of each of head 0's slots (−1 on padding slots of per-head plans). */
  get groups(): readonly number[] {
    return this.records().groups[0] ?? [];
  }

  headGroups(head: number): readonly number[] {
    return this.records().groups[head] ?? [];
  }

  /** The most tokens any head holds (what a token budget bounds). */
  get tokenCount(): number {
    return Math.max(0, ...this.liveTokens());
  }

  /** Heads of the cached keys (0 while empty). */
  get numHeads(): number {
    return this.shape?.heads ?? 0;
  }

  get numPages(): number {
    return this.pages.length;
  }

  /** Bytes of key and value storage, each tensor counted with its own dtype (dead slots included until reclaimed). */
  get bytes(): number {
    return this.pages.reduce((sum, page) => sum + page.bytes, 0);
  }

  get wantsAttention(): boolean {
    return this.policy.needsScores;
  }

  /** The pages in slot order, owned by the cache (valid until the next change): what attention reads. */
  segments(): readonly CacheSegment[] {
    return this.pages;
  }

  /**
   * Keys and values [B, H, T, d] as single tensors, owned by the cache (do not dispose; valid until the next
   * change). With several pages this joins them (a copy of the cache): for inspection, not per step.
   */
  read(): { k: tf.Tensor4D; v: tf.Tensor4D } {
    const view = this.joined();
    return { k: view.k, v: view.v };
  }

  /** The additive [1, 1 or H, 1, T] mask of dead slots over `read()`'s slots, if any; owned by the cache. */
  keyBias(): tf.Tensor4D | undefined {
    return this.pages.some((p) => p.bias) ? this.joined().bias : undefined;
  }

  /** Throws unless a chunk of these dimensions continues the cache (checked before anything is computed). */
  checkContinues(batch: number, heads: number, keyDim: number, valueDim: number): void {
    const s = this.shape;
    if (s && (s.batch !== batch || s.heads !== heads || s.keyDim !== keyDim || s.valueDim !== valueDim)) {
      throw new InputError(
        `LayerKVCache: a chunk [${batch}, ${heads}, t, ${keyDim}] does not continue the cache [${s.batch}, ${s.heads}, ${this.length}, ${s.keyDim}]`,
      );
    }
  }

  /**
   * Commits a chunk's keys and values [B, H, t, d] at positions nextPosition … +t−1 (or the given ones), then
   * evicts by the policy if the budget is exceeded. Nothing changes if anything is wrong (shapes, positions,
   * groups, the attention's shape, the policy's plan). The caller still owns (and may dispose) `k` and `v`.
   */
  commit(k: tf.Tensor, v: tf.Tensor, options: CommitOptions = {}): void {
    const shape = this.chunkShape(k, v);
    const t = k.shape[2] as number;
    const positions = options.positions ?? Array.from({ length: t }, (_, i) => this.next + i);
    checkPositions(positions, t);
    const groups = this.groupIds(options.group, t);
    const slots = this.length;
    const received = options.attention && this.policy.needsScores ? this.attentionSums(options.attention, slots + t, shape.heads) : undefined;
    const heads = Array.from({ length: shape.heads });
    const chunk: SlotRecords = {
      positions: heads.map(() => positions),
      groups: heads.map(() => groups),
      ...(this.policy.needsScores ? { scores: heads.map((_, h) => received?.[h]?.slice(slots) ?? new Float32Array(t)) } : {}),
    };
    const budget = this.tokenBudget(shape);
    const live = this.pages.length ? this.liveTokens() : heads.map(() => 0);
    const plan = Math.max(...live.map((n) => n + t)) > budget ? this.plan(chunk, received, budget) : undefined;

    this.changed();
    this.shape = shape;
    if (received) this.forEachPage((page, offset) => page.addScores(received, offset));
    this.appendChunk(k as tf.Tensor4D, v as tf.Tensor4D, chunk);
    this.next = Math.max(this.next, ...positions.map((p) => p + 1));
    this.nextGroup = Math.max(this.nextGroup, ...groups.map((g) => g + 1));
    if (plan) this.kill(plan);
    this.reclaim();
  }

  /** Adds attention probabilities [B, H, Lq, T] over this cache's slots to the accumulated scores. */
  recordAttention(probs: tf.Tensor): void {
    if (!this.policy.needsScores || !this.shape) return;
    const sums = this.attentionSums(probs, this.length, this.shape.heads);
    this.flat = undefined;
    this.forEachPage((page, offset) => page.addScores(sums, offset));
  }

  /** The accumulated attention per head ([H][T], 0 on dead slots), if the policy tracks it. */
  attentionScores(): readonly Float32Array[] | undefined {
    return this.policy.needsScores ? this.records().scores : undefined;
  }

  /** Undoes the last n committed tokens (speculative decoding): drops slots at positions ≥ nextPosition − n. */
  rollback(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.next) throw new InputError(`LayerKVCache.rollback(${n}) with ${this.next} positions`);
    const cut = this.next - n;
    this.changed();
    this.killWhere((p) => p >= cut);
    this.next = cut;
    this.reclaim();
  }

  /** Keeps the first `length` slots; nextPosition continues after the last kept token. */
  truncate(length: number): void {
    if (!Number.isInteger(length) || length < 0 || length > this.length) {
      throw new InputError(`LayerKVCache.truncate(${length}) of ${this.length}`);
    }
    this.changed();
    this.killWhere((_, slot) => slot >= length);
    this.reclaim();
    this.next = Math.max(0, ...this.records().positions.flat().map((p) => p + 1));
  }

  /** Empties the cache and frees its tensors; positions and group ids start again at 0. */
  clear(): void {
    this.changed();
    for (const page of this.pages) page.dispose();
    this.pages = [];
    this.shape = undefined;
    this.next = 0;
    this.nextGroup = 0;
  }

  dispose(): void {
    this.clear();
  }

  /** The most tokens a head may keep: the token budget, and the byte budget over the cached chunks' bytes per slot. */
  maxTokens(): number {
    return this.shape ? this.tokenBudget(this.shape) : (this.budget.tokens ?? Infinity);
  }

  private tokenBudget(shape: ChunkShape): number {
    const perSlot = shape.batch * shape.heads * (shape.keyDim * shape.keyBytes + shape.valueDim * shape.valueBytes);
    const byBytes = this.budget.bytes === undefined ? Infinity : Math.floor(this.budget.bytes / perSlot);
    return Math.min(this.budget.tokens ?? Infinity, byBytes);
  }

  private liveTokens(): number[] {
    const heads = this.shape?.heads ?? 0;
    return Array.from({ length: heads }, (_, h) => this.pages.reduce((sum, page) => sum + page.liveTokens(h), 0));
  }

  private forEachPage(visit: (page: KVPage, offset: number) => void): void {
    let offset = 0;
    for (const page of this.pages) {
      visit(page, offset);
      offset += page.size;
    }
  }

  /** The policy's plan for the cache after committing `chunk`, checked before anything changes. */
  private plan(chunk: SlotRecords, received: Float32Array[] | undefined, budget: number): KeepPlan {
    const now = this.records();
    const headPositions = chunk.positions.map((row, h) => [...(now.positions[h] ?? []), ...row]);
    const headGroups = chunk.groups.map((row, h) => [...(now.groups[h] ?? []), ...row]);
    const scores = chunk.scores?.map((row, h) => {
      const old = now.scores?.[h] ?? new Float32Array(0);
      const out = new Float32Array(old.length + row.length);
      out.set(old);
      if (received) for (let j = 0; j < old.length; j++) if ((headPositions[h]?.[j] as number) >= 0) out[j] = (out[j] as number) + (received[h]?.[j] as number);
      out.set(row, old.length);
      return out;
    });
    const length = headGroups[0]?.length ?? 0;
    const plan = this.policy.select({
      length,
      numHeads: headPositions.length,
      headPositions,
      headGroups,
      unit: this.evictBy,
      ...(scores ? { scores } : {}),
      budget,
    });
    const lists = 'shared' in plan ? headPositions.map(() => plan.shared) : plan.perHead;
    if (lists.length !== headPositions.length) {
      throw new InputError(`eviction policy '${this.policy.name}' planned ${lists.length} heads of ${headPositions.length}`);
    }
    lists.forEach((list, h) => {
      checkSorted(list, length);
      const row = headPositions[h] as number[];
      const kept = list.filter((i) => (row[i] as number) >= 0);
      if (kept.length > budget) throw new InputError(`eviction policy '${this.policy.name}' kept ${kept.length} > ${budget} tokens`);
      if (this.evictBy === 'group') checkWholeGroups(this.policy.name, row, headGroups[h] as number[], new Set(kept));
    });
    return plan;
  }

  /** Grows the last page by the chunk if it fits the page size, else starts a page (older pages are not copied). */
  private appendChunk(k: tf.Tensor4D, v: tf.Tensor4D, chunk: SlotRecords): void {
    const last = this.pages[this.pages.length - 1];
    if (last && last.size + (k.shape[2] as number) <= this.pageSize) last.append(k, v, chunk);
    else this.pages.push(new KVPage(k, v, chunk));
  }

  private kill(plan: KeepPlan): void {
    const keep = ('shared' in plan ? this.pages[0]?.positions.map(() => plan.shared) ?? [] : plan.perHead).map((list) => new Set(list));
    this.forEachPage((page, offset) =>
      page.positions.forEach((row, h) => row.forEach((_, j) => keep[h]?.has(offset + j) || page.kill(h, j))),
    );
  }

  private killWhere(dead: (position: number, slot: number) => boolean): void {
    this.forEachPage((page, offset) =>
      page.positions.forEach((row, h) => row.forEach((p, j) => p >= 0 && dead(p, offset + j) && page.kill(h, j))),
    );
  }

  /**
   * Reclaims dead slots: drops dead pages, compacts a page when at most half of it is live, when it is the last
   * page (where commits grow) or when a byte budget needs the room, re-masks the others, and merges neighbours
   * that fit one page. A compaction copies one page, and (but for the last) only after half of it died.
   */
  private reclaim(force = false): void {
    let reshaped = false;
    const last = this.pages[this.pages.length - 1];
    this.pages = this.pages.filter((page) => {
      if (page.widest === 0) {
        page.dispose();
        reshaped = true;
        return false;
      }
      if (page.deadSlots > 0 && page.widest < page.size && (force || page === last || page.widest <= page.size / 2)) {
        page.compact();
        reshaped = true;
      } else {
        page.refreshMask();
      }
      return true;
    });
    if (reshaped) this.mergeSmallPages();
    this.flat = undefined;
    if (this.budget.bytes !== undefined && this.bytes > this.budget.bytes) {
      if (!force) this.reclaim(true);
      else if (this.pages.length > 1) this.repack();
    }
  }

  /** Joins neighbouring pages whose slots fit one page (after compactions left small ones). */
  private mergeSmallPages(): void {
    const merged: KVPage[] = [];
    for (const page of this.pages) {
      const prev = merged[merged.length - 1];
      if (prev && prev.size + page.size <= this.pageSize) {
        prev.append(page.k, page.v, page);
        page.dispose();
      } else {
        merged.push(page);
      }
    }
    this.pages = merged;
  }

  /** One page of every head's live slots (per-head plans can spread them so that compacted pages exceed a byte cap). */
  private repack(): void {
    const all = this.records();
    const view = this.joined();
    const page = new KVPage(view.k, view.v, all);
    this.changed();
    for (const old of this.pages) old.dispose();
    this.pages = [page];
    page.compact();
  }

  /** Host records of every slot in order. */
  private records(): FlatRecords {
    if (this.flat) return this.flat;
    const heads = this.shape?.heads ?? 0;
    const rows = <T>(pick: (page: KVPage) => readonly (readonly T[])[] | undefined) =>
      Array.from({ length: heads }, (_, h) => this.pages.flatMap((page) => [...(pick(page)?.[h] ?? [])]));
    const scores = this.policy.needsScores
      ? rows((page) => page.scores?.map((row) => Array.from(row))).map((row) => Float32Array.from(row))
      : undefined;
    this.flat = { positions: rows((p) => p.positions), groups: rows((p) => p.groups), ...(scores ? { scores } : {}) };
    return this.flat;
  }

  private joined(): Joined {
    if (this.pages.length === 0) throw new InputError('LayerKVCache.read: the cache is empty');
    const only = this.pages.length === 1 ? this.pages[0] : undefined;
    if (only) return { k: only.k, v: only.v, bias: only.bias };
    this.view ??= tf.tidy(() => {
      const heads = this.shape?.heads ?? 1;
      const biased = this.pages.some((p) => p.bias);
      const bias = (p: KVPage) => (p.bias ? tf.broadcastTo(p.bias, [1, heads, 1, p.size]) : tf.zeros([1, heads, 1, p.size]));
      return {
        k: tf.keep(tf.concat(this.pages.map((p) => p.k), 2)),
        v: tf.keep(tf.concat(this.pages.map((p) => p.v), 2)),
        bias: biased ? tf.keep(tf.concat(this.pages.map(bias), 3) as tf.Tensor4D) : undefined,
      };
    });
    return this.view;
  }

  /** Drops what was derived from the pages (joined tensors, host records) before they change. */
  private changed(): void {
    this.flat = undefined;
    if (!this.view) return;
    tf.dispose([this.view.k, this.view.v, ...(this.view.bias ? [this.view.bias] : [])]);
    this.view = undefined;
  }

  private chunkShape(k: tf.Tensor, v: tf.Tensor): ChunkShape {
    if (k.rank !== 4 || v.rank !== 4) throw new InputError(`LayerKVCache.commit: expected [B, H, t, d], got [${k.shape}] and [${v.shape}]`);
    const [batch, heads, t, keyDim] = k.shape as [number, number, number, number];
    if (v.shape[0] !== batch || v.shape[1] !== heads || v.shape[2] !== t) {
      throw new InputError(`LayerKVCache.commit: keys [${k.shape}] and values [${v.shape}] differ`);
    }
    const valueDim = v.shape[3] as number;
    this.checkContinues(batch, heads, keyDim, valueDim);
    const first = this.pages[0];
    if (first && (first.k.dtype !== k.dtype || first.v.dtype !== v.dtype)) {
      throw new InputError(`LayerKVCache.commit: dtypes ${k.dtype}/${v.dtype} differ from the cache's ${first.k.dtype}/${first.v.dtype}`);
    }
    return { batch, heads, keyDim, valueDim, keyBytes: tf.util.bytesPerElement(k.dtype), valueBytes: tf.util.bytesPerElement(v.dtype) };
  }

  private groupIds(group: number | readonly number[] | undefined, t: number): number[] {
    const ids =
      group === undefined
        ? Array.from({ length: t }, () => this.nextGroup)
        : typeof group === 'number'
          ? Array.from({ length: t }, () => group)
          : [...group];
    if (ids.length !== t || ids.some((g) => !Number.isInteger(g) || g < 0)) {
      throw new InputError(`LayerKVCache.commit: group must be one non-negative integer or ${t} of them, got ${JSON.stringify(group)}`);
    }
    return ids;
  }

  /** Per head, the attention [B, H, Lq, slots] summed over batch and queries (downloaded). */
  private attentionSums(probs: tf.Tensor, slots: number, heads: number): Float32Array[] {
    if (probs.rank !== 4 || probs.shape[3] !== slots || probs.shape[1] !== heads) {
      throw new InputError(`LayerKVCache: attention [${probs.shape}] is not [B, ${heads}, Lq, ${slots}]`);
    }
    const summed = tf.tidy(() => tf.sum(probs, [0, 2]));
    const values = summed.dataSync() as Float32Array;
    summed.dispose();
    return Array.from({ length: heads }, (_, h) => values.slice(h * slots, h * slots + slots));
  }
}

const DEFAULT_PAGE_SIZE = 128;

interface Joined {
  readonly k: tf.Tensor4D;
  readonly v: tf.Tensor4D;
  readonly bias: tf.Tensor4D | undefined;
}

interface FlatRecords extends SlotRecords {
  readonly positions: number[][];
  readonly groups: number[][];
  readonly scores?: Float32Array[];
}

function checkPositions(positions: readonly number[], t: number): void {
  if (positions.length !== t) throw new InputError(`LayerKVCache.commit: ${positions.length} positions for ${t} tokens`);
  const bad = positions.find((p) => !Number.isInteger(p) || p < 0);
  if (bad !== undefined) throw new InputError(`LayerKVCache.commit: positions must be non-negative integers, got ${bad}`);
}

function checkSorted(list: readonly number[], length: number): void {
  list.forEach((i, n) => {
    if (!Number.isInteger(i) || i < 0 || i >= length || (n > 0 && i <= (list[n - 1] as number))) {
      throw new InputError(`eviction plan: slot list must be sorted unique indices in [0, ${length}), got [${list.join(',')}]`);
    }
  });
}

function checkWholeGroups(policy: string, row: readonly number[], groups: readonly number[], kept: ReadonlySet<number>): void {
  const fate = new Map<number, boolean>();
  row.forEach((p, slot) => {
    if (p < 0) return;
    const group = groups[slot] as number;
    const keep = kept.has(slot);
    if (fate.has(group) && fate.get(group) !== keep) {
      throw new InputError(`eviction policy '${policy}' splits group ${group} (the cache evicts by group)`);
    }
    fate.set(group, keep);
  });
}
