import { z } from 'zod';
import { tf } from '../tf.js';
import { InputError } from '../errors.js';
import { parseConfig } from '../config/parse-config.js';
import type { CacheBudget, EvictionPolicy, EvictionUnit, KeepPlan } from './eviction-policy.js';
import { keepRecent } from './eviction-policies.js';
import type { AttentionSegment } from '../nn/segmented-attention.js';
import { KVPage } from './kv-page.js';
import { keyRedundancy } from './key-redundancy.js';

export interface LayerKVCacheOptions {
  /** Eviction rule applied when a commit takes the cache over budget (default keep-recent). */
  readonly policy?: EvictionPolicy;
  readonly budget?: CacheBudget;
  /** Evict single tokens (default) or whole groups (a frame, a block: see `CommitOptions.group`), never split. */
  readonly evictBy?: EvictionUnit;
  /**
   * Slots per page (default 256). A commit copies at most the last page (tfjs has no in-place writes); attention
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
 * evicted slots die (masked at once) and their pages are compacted lazily — when half dead, or when a byte budget
 * needs the room — so neither growth nor eviction copies the whole cache per step.
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
  /** Per page, the tokens each head holds there. */
  private pageLive: number[][] = [];
  /** Per head, per slot: absolute position (−1 = dead), group id, accumulated attention (score-based policies). */
  private pos: number[][] = [];
  private grp: number[][] = [];
  private sc: number[][] | undefined;
  private shape: ChunkShape | undefined;
  private next = 0;
  private nextGroup = 0;
  private view: Joined | undefined;
  /** What the last segmentsWith() joined, for the commit of that chunk to reuse (while the cache is unchanged). */
  private prepared: { k: tf.Tensor; v: tf.Tensor; joined: { k: tf.Tensor4D; v: tf.Tensor4D }; version: number } | undefined;
  private version = 0;

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
    return this.pos[0]?.length ?? 0;
  }

  /** Position the next committed token gets (tokens committed minus tokens rolled back). */
  get nextPosition(): number {
    return this.next;
  }

  /** Positions of head 0's slots, −1 on dead ones (all heads' unless a per-head plan was applied). */
  get positions(): readonly number[] {
    return this.pos[0] ?? [];
  }

  headPositions(head: number): readonly number[] {
    return this.pos[head] ?? [];
  }

  /** Group id of each of head 0's slots (−1 on padding slots of per-head plans). */
  get groups(): readonly number[] {
    return this.grp[0] ?? [];
  }

  headGroups(head: number): readonly number[] {
    return this.grp[head] ?? [];
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

  /**
   * The pages in slot order, owned by the cache (valid until the next change): keys [B, H, n, d], values as `v`
   * [B, H, n, d] (the last page, where commits grow) or transposed as `vT` [B, H, d, n] (sealed pages), and the mask
   * of the page's dead slots ([1, 1 or H, 1, n]) when it has some.
   */
  segments(): readonly AttentionSegment[] {
    return this.pages;
  }

  /**
   * What a chunk with keys and values [B, H, t, d] attends to: the pages, then the chunk — joined with the last page
   * when committing the chunk will grow that page, so that the commit reuses the join instead of copying again.
   * The joined tensors belong to the caller's scope: call this inside a tf.tidy (as attention does), or they
   * outlive an attention that does not commit.
   */
  segmentsWith(k: tf.Tensor4D, v: tf.Tensor4D): readonly AttentionSegment[] {
    const last = this.pages[this.pages.length - 1];
    if (!last?.v || last.size + (k.shape[2] as number) > this.pageSize) return [...this.pages, { k, v }];
    const joined = last.joinedWith(k, v);
    this.prepared = { k, v, joined, version: this.version };
    return [...this.pages.slice(0, -1), joined];
  }

  /**
   * Keys and values [B, H, T, d] as single tensors, owned by the cache (do not dispose; valid until the next
   * change). This joins the pages (a copy of the cache): for inspection, not per step.
   */
  read(): { k: tf.Tensor4D; v: tf.Tensor4D } {
    const view = this.joined();
    return { k: view.k, v: view.v };
  }

  /** The additive [1, H, 1, T] mask of dead slots over `read()`'s slots, if any; owned by the cache. */
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
    const positions = options.positions ? [...options.positions] : Array.from({ length: t }, (_, i) => this.next + i);
    checkPositions(positions, t);
    const groups = this.groupIds(options.group, t);
    const slots = this.length;
    const received = options.attention && this.policy.needsScores ? this.attentionSums(options.attention, slots + t, shape.heads) : undefined;
    const budget = this.tokenBudget(shape);
    const live = this.pages.length ? this.liveTokens() : [0];
    const chunk = { k, positions, groups, received };
    const plan = Math.max(...live) + t > budget ? this.plan(chunk, shape.heads, budget) : undefined;

    const version = this.version;
    this.changed();
    this.shape = shape;
    if (this.pos.length === 0) this.startRecords(shape.heads);
    if (received) this.addScores(received);
    this.appendChunk(k as tf.Tensor4D, v as tf.Tensor4D, version);
    this.pos.forEach((row) => row.push(...positions));
    this.grp.forEach((row) => row.push(...groups));
    this.sc?.forEach((row, h) => row.push(...(received ? Array.from(received[h]?.subarray(slots) ?? []) : new Array<number>(t).fill(0))));
    this.next = Math.max(this.next, ...positions.map((p) => p + 1));
    this.nextGroup = Math.max(this.nextGroup, ...groups.map((g) => g + 1));
    if (plan) this.kill(plan);
    this.reclaim();
  }

  /** Adds attention probabilities [B, H, Lq, T] over this cache's slots to the accumulated scores. */
  recordAttention(probs: tf.Tensor): void {
    if (!this.sc || !this.shape) return;
    this.addScores(this.attentionSums(probs, this.length, this.shape.heads));
  }

  /** The accumulated attention per head ([H][T], 0 on dead slots), if the policy tracks it. */
  attentionScores(): readonly Float32Array[] | undefined {
    if (!this.policy.needsScores) return undefined;
    return this.sc?.map((row) => Float32Array.from(row)) ?? [];
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
    this.next = Math.max(0, ...this.pos.map((row) => Math.max(-1, ...row) + 1));
  }

  /** Empties the cache and frees its tensors; positions and group ids start again at 0. */
  clear(): void {
    this.changed();
    for (const page of this.pages) page.dispose();
    this.pages = [];
    this.pageLive = [];
    this.pos = [];
    this.grp = [];
    this.sc = undefined;
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
    return Array.from({ length: this.shape?.heads ?? 0 }, (_, h) => this.pageLive.reduce((sum, live) => sum + (live[h] as number), 0));
  }

  private startRecords(heads: number): void {
    this.pos = Array.from({ length: heads }, () => []);
    this.grp = Array.from({ length: heads }, () => []);
    this.sc = this.policy.needsScores ? Array.from({ length: heads }, () => []) : undefined;
  }

  /** Adds attention received ([H][≥ T]) to the live slots' scores, rounded to float32 as they are kept. */
  private addScores(received: readonly Float32Array[]): void {
    this.sc?.forEach((row, h) => {
      const add = received[h] as Float32Array;
      const positions = this.pos[h] as number[];
      for (let j = 0; j < row.length; j++) if ((positions[j] as number) >= 0) row[j] = Math.fround((row[j] as number) + (add[j] as number));
    });
  }

  /** The policy's plan for the cache after committing `chunk`, checked before anything changes. */
  private plan(
    chunk: { k: tf.Tensor; positions: number[]; groups: number[]; received: Float32Array[] | undefined },
    heads: number,
    budget: number,
  ): KeepPlan {
    const rows = (source: number[][], tail: number[]) => Array.from({ length: heads }, (_, h) => (source[h] ?? []).concat(tail));
    const headPositions = rows(this.pos, chunk.positions);
    let groups: number[][] | undefined;
    const headGroups = () => (groups ??= rows(this.grp, chunk.groups));
    const scores = this.policy.needsScores
      ? headPositions.map((row, h) => {
          const out = new Float32Array(row.length);
          const old = this.sc?.[h] ?? [];
          const add = chunk.received?.[h];
          for (let j = 0; j < row.length; j++) {
            const before = j < old.length ? (old[j] as number) : 0;
            out[j] = (row[j] as number) < 0 ? 0 : before + (add ? (add[j] as number) : 0);
          }
          return out;
        })
      : undefined;
    let redundancy: Float32Array[] | undefined;
    const keys = () => (redundancy ??= keyRedundancy([...this.pages.map((page) => page.k), chunk.k], headPositions));
    const length = headPositions[0]?.length ?? 0;
    const plan = this.policy.select({
      length,
      numHeads: heads,
      headPositions,
      get headGroups() {
        return headGroups();
      },
      get keyRedundancy() {
        return keys();
      },
      unit: this.evictBy,
      ...(scores ? { scores } : {}),
      budget,
    });
    const lists = 'shared' in plan ? headPositions.map(() => plan.shared) : plan.perHead;
    if (lists.length !== heads) throw new InputError(`eviction policy '${this.policy.name}' planned ${lists.length} heads of ${heads}`);
    lists.forEach((list, h) => {
      checkSorted(list, length);
      const row = headPositions[h] as number[];
      let kept = 0;
      for (const slot of list) if ((row[slot] as number) >= 0) kept++;
      if (kept > budget) throw new InputError(`eviction policy '${this.policy.name}' kept ${kept} > ${budget} tokens`);
      if (this.evictBy === 'group') checkWholeGroups(this.policy.name, row, headGroups()[h] as number[], new Set(list));
    });
    return plan;
  }

  /** Grows the last page by the chunk if it fits the page size, else seals it and starts a page. */
  private appendChunk(k: tf.Tensor4D, v: tf.Tensor4D, version: number): void {
    const t = k.shape[2] as number;
    const last = this.pages[this.pages.length - 1];
    const live = this.pageLive[this.pageLive.length - 1];
    const prepared = this.prepared;
    this.prepared = undefined;
    if (last && live && last.size + t <= this.pageSize) {
      const reuse = prepared && prepared.k === k && prepared.v === v && prepared.version === version && !prepared.joined.k.isDisposed;
      if (reuse && !prepared.joined.v.isDisposed) last.adopt(prepared.joined);
      else last.append(k, v);
      last.widened();
      live.forEach((n, h) => (live[h] = n + t));
    } else {
      last?.seal();
      this.pages.push(new KVPage(k, v));
      this.pageLive.push(Array.from({ length: this.pos.length }, () => t));
    }
  }

  /** Marks dead every slot a plan leaves out (a walk of the sorted lists, page by page). */
  private kill(plan: KeepPlan): void {
    const lists = 'shared' in plan ? this.pos.map(() => plan.shared) : plan.perHead;
    lists.forEach((list, h) => {
      let next = 0;
      let slot = 0;
      for (let page = 0; page < this.pages.length; page++) {
        for (const end = slot + (this.pages[page] as KVPage).size; slot < end; slot++) {
          if (list[next] === slot) next++;
          else this.killSlot(h, slot, page);
        }
      }
    });
  }

  private killWhere(dead: (position: number, slot: number) => boolean): void {
    this.pos.forEach((row, h) => {
      let slot = 0;
      for (let page = 0; page < this.pages.length; page++) {
        for (const end = slot + (this.pages[page] as KVPage).size; slot < end; slot++) {
          if (dead(row[slot] as number, slot)) this.killSlot(h, slot, page);
        }
      }
    });
  }

  private killSlot(head: number, slot: number, page: number): void {
    const row = this.pos[head] as number[];
    if ((row[slot] as number) < 0) return;
    row[slot] = -1;
    const scores = this.sc?.[head];
    if (scores) scores[slot] = 0;
    const live = this.pageLive[page] as number[];
    live[head] = (live[head] as number) - 1;
  }

  /**
   * Reclaims dead slots: drops dead pages, compacts a page when at most half of it is live, when its dead slots
   * end it (a rollback) or when a byte budget needs the room, re-masks the others, and merges neighbours that fit
   * one page. A compaction copies one page, and (but for a cut) only after half of it died: amortised, a slot is
   * copied about once per eviction however long the run.
   */
  private reclaim(force = false): void {
    const records = [this.pos, this.grp, ...(this.sc ? [this.sc] : [])];
    // Each kept page with the slots it now holds per head (−1 = padding); undefined: its own range, unchanged.
    const kept: { page: KVPage; live: number[]; start: number; slots?: number[][] }[] = [];
    let reshaped = false;
    let start = 0;
    this.pages.forEach((page, index) => {
      const n = page.size;
      const live = this.pageLive[index] as number[];
      const widest = Math.max(...live);
      const dead = live.reduce((sum, c) => sum + n - c, 0);
      if (widest === 0) {
        page.dispose();
        reshaped = true;
      } else if (dead > 0 && (force || page.maskStale(dead))) {
        const rows = this.pos.map((row) => row.slice(start, start + n));
        if (widest < n && (force || widest <= n / 2 || deadIsSuffix(rows))) {
          const slots = rows.map((row) => padTo(row.flatMap((p, j) => (p >= 0 ? [start + j] : [])), widest));
          page.gather(slots.map((list) => list.map((slot) => (slot < 0 ? -1 : slot - start))));
          page.setMask(slots, live.reduce((sum, c) => sum + widest - c, 0));
          kept.push({ page, live, start, slots });
          reshaped = true;
        } else {
          page.setMask(rows, dead);
          kept.push({ page, live, start });
        }
      } else {
        if (dead === 0 && page.maskStale(0)) page.setMask([], 0);
        kept.push({ page, live, start });
      }
      start += n;
    });
    if (reshaped) {
      for (const table of records) {
        const fill = table === this.sc ? 0 : -1;
        table.forEach((row, h) => {
          const old = row.slice();
          row.length = 0;
          for (const entry of kept) {
            if (!entry.slots) for (let j = 0; j < entry.page.size; j++) row.push(old[entry.start + j] as number);
            else for (const slot of entry.slots[h] as number[]) row.push(slot < 0 ? fill : (old[slot] as number));
          }
        });
      }
      this.pages = kept.map((entry) => entry.page);
      this.pageLive = kept.map((entry) => entry.live);
      this.mergeSmallPages();
    }
    if (this.budget.bytes !== undefined && this.bytes > this.budget.bytes) {
      if (!force) this.reclaim(true);
      else if (this.pages.length > 1) this.repack();
    }
  }

  /** Joins neighbouring pages whose slots fit one page (after compactions left small ones); all but the last sealed. */
  private mergeSmallPages(): void {
    const pages: KVPage[] = [];
    const lives: number[][] = [];
    let start = 0;
    const starts: number[] = [];
    this.pages.forEach((page, index) => {
      const live = this.pageLive[index] as number[];
      const prev = pages[pages.length - 1];
      const prevLive = lives[lives.length - 1];
      if (prev && prevLive && prev.size + page.size <= this.pageSize) {
        prev.absorb(page);
        page.dispose();
        prevLive.forEach((c, h) => (prevLive[h] = c + (live[h] as number)));
        prev.widened();
      } else {
        pages.push(page);
        lives.push(live);
        starts.push(start);
      }
      start += page.size;
    });
    pages.forEach((page, i) => {
      const from = starts[i] as number;
      const live = lives[i] as number[];
      const dead = live.reduce((sum, c) => sum + page.size - c, 0);
      if (page.maskStale(dead)) page.setMask(this.pos.map((row) => row.slice(from, from + page.size)), dead);
      if (i < pages.length - 1) page.seal();
    });
    this.pages = pages;
    this.pageLive = lives;
  }

  /** One page of every head's live slots (per-head plans can spread them so that compacted pages exceed a byte cap). */
  private repack(): void {
    const view = this.joined();
    const page = new KVPage(view.k, view.v);
    const live = this.liveTokens();
    this.changed();
    for (const old of this.pages) old.dispose();
    this.pages = [page];
    this.pageLive = [live];
    this.reclaim(true);
  }

  private joined(): Joined {
    if (this.pages.length === 0) throw new InputError('LayerKVCache.read: the cache is empty');
    this.view ??= tf.tidy(() => {
      const heads = this.shape?.heads ?? 1;
      const biased = this.pages.some((p) => p.bias);
      const bias = (p: KVPage) => (p.bias ? tf.broadcastTo(p.bias, [1, heads, 1, p.size]) : tf.zeros([1, heads, 1, p.size]));
      return {
        k: tf.keep(tf.concat(this.pages.map((p) => p.k), 2)),
        v: tf.keep(tf.concat(this.pages.map((p) => p.valuesAsRows()), 2)),
        bias: biased ? tf.keep(tf.concat(this.pages.map(bias), 3) as tf.Tensor4D) : undefined,
      };
    });
    return this.view;
  }

  /** Frees the joined view before the pages change. */
  private changed(): void {
    this.version++;
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
    if (first && (first.k.dtype !== k.dtype || first.valueDtype !== v.dtype)) {
      throw new InputError(`LayerKVCache.commit: dtypes ${k.dtype}/${v.dtype} differ from the cache's ${first.k.dtype}/${first.valueDtype}`);
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

const DEFAULT_PAGE_SIZE = 256;

interface Joined {
  readonly k: tf.Tensor4D;
  readonly v: tf.Tensor4D;
  readonly bias: tf.Tensor4D | undefined;
}

/** Whether every head's dead slots are the same run at the end of the page (a rollback): cut without a gather. */
function deadIsSuffix(rows: readonly (readonly number[])[]): boolean {
  const first = rows[0] ?? [];
  const cut = first.findIndex((p) => p < 0);
  return rows.every((row) => row.every((p, j) => (j < cut ? p >= 0 : p < 0)));
}

function padTo(list: number[], width: number): number[] {
  while (list.length < width) list.push(-1);
  return list;
}

function checkPositions(positions: readonly number[], t: number): void {
  if (positions.length !== t) throw new InputError(`LayerKVCache.commit: ${positions.length} positions for ${t} tokens`);
  const bad = positions.find((p) => !Number.isInteger(p) || p < 0);
  if (bad !== undefined) throw new InputError(`LayerKVCache.commit: positions must be non-negative integers, got ${bad}`);
}

function checkSorted(list: readonly number[], length: number): void {
  let previous = -1;
  for (const slot of list) {
    if (!Number.isInteger(slot) || slot <= previous || slot >= length) {
      throw new InputError(`eviction plan: slot list must be sorted unique indices in [0, ${length}), got [${list.join(',')}]`);
    }
    previous = slot;
  }
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
