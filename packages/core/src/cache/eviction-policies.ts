import { InputError } from '../errors.js';
import type { EvictionContext, EvictionPolicy, KeepPlan } from './eviction-policy.js';

/** What a policy keeps or drops at once: one token, or one group's live slots in one head. */
interface Unit {
  readonly slots: number[];
  readonly oldest: number;
  readonly newest: number;
  /** Mean accumulated attention of its tokens. */
  readonly score: number;
}

/** The live slots of one head as units (tokens, or whole groups), oldest first. */
function unitsOf(ctx: EvictionContext, head: number, scores: Float32Array | undefined): Unit[] {
  const positions = ctx.headPositions[head] as readonly number[];
  const groups = ctx.headGroups[head] as readonly number[];
  const byKey = new Map<number, { slots: number[]; oldest: number; newest: number; total: number }>();
  positions.forEach((p, slot) => {
    if (p < 0) return;
    const key = ctx.unit === 'group' ? (groups[slot] as number) : slot;
    const score = scores ? (scores[slot] as number) : 0;
    const unit = byKey.get(key);
    if (unit) {
      unit.slots.push(slot);
      unit.oldest = Math.min(unit.oldest, p);
      unit.newest = Math.max(unit.newest, p);
      unit.total += score;
    } else {
      byKey.set(key, { slots: [slot], oldest: p, newest: p, total: score });
    }
  });
  return [...byKey.values()]
    .map((u) => ({ slots: u.slots, oldest: u.oldest, newest: u.newest, score: u.total / u.slots.length }))
    .sort((a, b) => a.oldest - b.oldest || (a.slots[0] as number) - (b.slots[0] as number));
}

interface SelectOptions {
  readonly sinkTokens?: number;
  /** Newest tokens kept first (default: all of `keep` without scores, none with scores). */
  readonly recent?: number;
  readonly scores?: Float32Array;
}

/**
 * Per head, whole units while they fit in `keep` tokens: the sinks (units starting before `sinkTokens`), then the
 * newest units up to `recent` tokens, then — with `scores` — the most attended of the rest, then by recency.
 * The recency passes stop at the first unit that does not fit, so a window never skips over a unit.
 */
function selectHead(ctx: EvictionContext, head: number, keep: number, options: SelectOptions): number[] {
  if (ctx.unit === 'token') return selectTokens(ctx.headPositions[head] as readonly number[], keep, options);
  const units = unitsOf(ctx, head, options.scores);
  const chosen = new Set<Unit>();
  let size = 0;
  const fits = (u: Unit) => !chosen.has(u) && size + u.slots.length <= keep;
  const take = (u: Unit) => {
    chosen.add(u);
    size += u.slots.length;
  };
  for (const u of units) if (u.oldest < (options.sinkTokens ?? 0) && fits(u)) take(u);
  const newestFirst = [...units].sort((a, b) => b.newest - a.newest);
  const recent = Math.min(keep, options.recent ?? (options.scores ? 0 : keep));
  let recentSize = 0;
  for (const u of newestFirst) {
    if (chosen.has(u)) continue;
    if (recentSize + u.slots.length > recent || !fits(u)) break;
    recentSize += u.slots.length;
    take(u);
  }
  if (options.scores) {
    const byScore = newestFirst.filter((u) => !chosen.has(u)).sort((a, b) => b.score - a.score);
    for (const u of byScore) if (fits(u)) take(u);
  }
  for (const u of newestFirst) {
    if (chosen.has(u)) continue;
    if (!fits(u)) break;
    take(u);
  }
  return [...chosen].flatMap((u) => u.slots).sort((a, b) => a - b);
}

/**
 * selectHead for single tokens, in linear passes over the live slots ordered by position (already so when
 * positions increase along the slots, as commits make them): it runs at every commit of a full cache.
 */
function selectTokens(positions: readonly number[], keep: number, options: SelectOptions): number[] {
  const live: number[] = [];
  let sorted = true;
  for (let j = 0; j < positions.length; j++) {
    const p = positions[j] as number;
    if (p < 0) continue;
    if (live.length && p <= (positions[live[live.length - 1] as number] as number)) sorted = false;
    live.push(j);
  }
  if (!sorted) live.sort((a, b) => (positions[a] as number) - (positions[b] as number) || a - b);
  const chosen = new Uint8Array(positions.length);
  let size = 0;
  const take = (slot: number) => {
    chosen[slot] = 1;
    size++;
  };
  const sinkTokens = options.sinkTokens ?? 0;
  for (const slot of live) if (size < keep && (positions[slot] as number) < sinkTokens) take(slot);
  const recent = Math.min(keep, options.recent ?? (options.scores ? 0 : keep));
  for (let i = live.length - 1, taken = 0; i >= 0 && taken < recent && size < keep; i--) {
    const slot = live[i] as number;
    if (chosen[slot]) continue;
    take(slot);
    taken++;
  }
  const scores = options.scores;
  if (scores && size < keep) {
    const rest = live.filter((slot) => !chosen[slot]).reverse(); // newest first: ties go to the newer token
    rest.sort((a, b) => (scores[b] as number) - (scores[a] as number));
    for (const slot of rest) if (size < keep) take(slot);
  }
  for (let i = live.length - 1; i >= 0 && size < keep; i--) if (!chosen[live[i] as number]) take(live[i] as number);
  const out: number[] = [];
  for (let j = 0; j < chosen.length; j++) if (chosen[j]) out.push(j);
  return out;
}

/** Whether every head holds the same positions (then a score-free policy computes one shared plan). */
function headsAgree(ctx: EvictionContext): boolean {
  const first = ctx.headPositions[0] ?? [];
  return ctx.headPositions.every((row) => row === first || row.every((p, i) => p === first[i]));
}

/** One plan from per-head lists: shared when every head keeps the same slots. */
function planOf(lists: number[][]): KeepPlan {
  const first = lists[0] ?? [];
  const same = lists.every((l) => l.length === first.length && l.every((x, i) => x === first[i]));
  return same ? { shared: first } : { perHead: lists };
}

function scoreFree(ctx: EvictionContext, options: SelectOptions): KeepPlan {
  if (headsAgree(ctx)) return { shared: selectHead(ctx, 0, ctx.budget, options) };
  return planOf(ctx.headPositions.map((_, h) => selectHead(ctx, h, ctx.budget, options)));
}

/** Rolling window: the `budget` most recent tokens (or whole groups: frames, blocks). */
export function keepRecent(): EvictionPolicy {
  return { name: 'keep-recent', needsScores: false, select: (ctx) => scoreFree(ctx, {}) };
}

/**
 * StreamingLLM (Xiao et al. 2023): the first `sinkTokens` positions (attention sinks; by group, every group that
 * starts there, e.g. the first frame) plus the most recent.
 */
export function sinkAndRecent(options: { sinkTokens: number }): EvictionPolicy {
  return { name: 'sink-recent', needsScores: false, select: (ctx) => scoreFree(ctx, { sinkTokens: options.sinkTokens }) };
}

function requireScores(ctx: EvictionContext, name: string): readonly Float32Array[] {
  if (!ctx.scores) throw new InputError(`eviction policy '${name}' needs accumulated attention scores`);
  return ctx.scores;
}

/**
 * H2O (Zhang et al. 2023) heavy hitters: per head, the `recent` newest tokens always, then the tokens with the
 * largest accumulated attention, up to the budget (optionally after `sinkTokens` sinks). By group, a group's score
 * is the mean over its tokens.
 */
export function heavyHitter(options: { recent: number; sinkTokens?: number }): EvictionPolicy {
  const name = 'heavy-hitter';
  return {
    name,
    needsScores: true,
    select: (ctx) => {
      const scores = requireScores(ctx, name);
      return planOf(
        ctx.headPositions.map((_, h) =>
          selectHead(ctx, h, ctx.budget, { recent: options.recent, sinkTokens: options.sinkTokens, scores: scores[h] }),
        ),
      );
    },
  };
}

export interface PerHeadBudgetOptions {
  /** Share of the budget each head keeps (1 = the whole budget), one per head. */
  readonly fractions: readonly number[];
  readonly sinkTokens?: number;
  /** Newest tokens every head keeps (within its own budget). */
  readonly recent?: number;
  /** Fill the rest by accumulated attention (true) or by recency (false, default). */
  readonly byScore?: boolean;
}

/**
 * Different keep counts per head (head-wise budgets as in Forcing-KV / Ada-KV style compression): head h keeps
 * max(1, ⌊fractions[h]·budget⌋) tokens chosen as sinks, recent tokens, then by score or recency.
 */
export function perHeadBudget(options: PerHeadBudgetOptions): EvictionPolicy {
  const name = 'per-head-budget';
  return {
    name,
    needsScores: options.byScore ?? false,
    select: (ctx) => {
      if (options.fractions.length !== ctx.numHeads) {
        throw new InputError(`${name}: ${options.fractions.length} fractions for ${ctx.numHeads} heads`);
      }
      const scores = options.byScore ? requireScores(ctx, name) : undefined;
      return planOf(
        ctx.headPositions.map((_, h) => {
          const fraction = Math.min(1, Math.max(0, options.fractions[h] as number));
          const keep = Math.max(1, Math.floor(fraction * ctx.budget));
          return selectHead(ctx, h, keep, { sinkTokens: options.sinkTokens, recent: options.recent, scores: scores?.[h] });
        }),
      );
    },
  };
}

export interface ImportanceRedundancyOptions {
  /**
   * Weight of attention importance against key redundancy: a slot scores λ·importance − (1 − λ)·redundancy, both
   * normalised over the head's live slots (default 0.07, FlowCache's `mix_lambda`). 0 scores by redundancy alone and
   * needs no attention scores.
   */
  readonly lambda?: number;
  /** Newest tokens every head keeps first. */
  readonly recent?: number;
  readonly sinkTokens?: number;
}

/**
 * Redundancy-aware compression (R-KV, Cai et al. 2025, as FlowCache and Forcing-KV's dynamic heads use it): per head,
 * the sinks and the `recent` newest tokens, then the slots with the highest λ·importance − (1 − λ)·redundancy, where
 * importance is the accumulated attention as a distribution over the live slots and redundancy the softmax of each
 * key's mean cosine similarity to the others — keys that repeat others (a static background, a frame like its
 * neighbours) go first. By group (a frame), a group scores the mean of its tokens.
 */
export function importanceRedundancy(options: ImportanceRedundancyOptions = {}): EvictionPolicy {
  const name = 'importance-redundancy';
  const lambda = options.lambda ?? 0.07;
  if (!(lambda >= 0 && lambda <= 1)) throw new InputError(`${name}: lambda must be in [0, 1]; got ${lambda}`);
  return {
    name,
    needsScores: lambda > 0,
    select: (ctx) => {
      const redundancy = ctx.keyRedundancy;
      if (!redundancy) throw new InputError(`eviction policy '${name}' needs the keys' redundancy (a LayerKVCache provides it)`);
      const attention = lambda > 0 ? requireScores(ctx, name) : undefined;
      return planOf(
        ctx.headPositions.map((positions, h) => {
          const scores = mixedScores(positions, redundancy[h] as Float32Array, attention?.[h], lambda);
          return selectHead(ctx, h, ctx.budget, { recent: options.recent ?? 0, sinkTokens: options.sinkTokens, scores });
        }),
      );
    },
  };
}

/** λ·(attention as a distribution over live slots) − (1 − λ)·softmax(redundancy over live slots); 0 on dead slots. */
function mixedScores(positions: readonly number[], redundancy: Float32Array, attention: Float32Array | undefined, lambda: number): Float32Array {
  const out = new Float32Array(positions.length);
  let max = -Infinity;
  let attentionSum = 0;
  positions.forEach((p, j) => {
    if (p < 0) return;
    max = Math.max(max, redundancy[j] as number);
    attentionSum += attention ? (attention[j] as number) : 0;
  });
  let expSum = 0;
  positions.forEach((p, j) => {
    if (p >= 0) expSum += Math.exp((redundancy[j] as number) - max);
  });
  const live = positions.reduce((n, p) => n + (p >= 0 ? 1 : 0), 0);
  positions.forEach((p, j) => {
    if (p < 0) return;
    const importance = attentionSum > 0 ? (attention?.[j] as number) / attentionSum : 1 / live;
    out[j] = lambda * importance - (1 - lambda) * (Math.exp((redundancy[j] as number) - max) / expSum);
  });
  return out;
}

export interface HeadwiseOptions {
  /** Share of the budget head h keeps (default 1 each): static heads can be pruned harder than dynamic ones. */
  readonly fractions?: readonly number[];
}

/**
 * One policy per head (Forcing-KV's hybrid compression: structured sink + recent pruning for "static" heads, which
 * look at the current chunk and frame boundaries, similarity-based pruning for "dynamic" heads, which carry motion):
 * head h is planned by `policies[h]` alone, on a one-head view of the context with a budget of
 * max(1, ⌊fractions[h]·budget⌋) tokens.
 */
export function headwise(policies: readonly EvictionPolicy[], options: HeadwiseOptions = {}): EvictionPolicy {
  const name = `headwise(${policies.map((p) => p.name).join(',')})`;
  if (options.fractions && options.fractions.length !== policies.length) {
    throw new InputError(`headwise: ${options.fractions.length} fractions for ${policies.length} policies`);
  }
  return {
    name,
    needsScores: policies.some((p) => p.needsScores),
    select: (ctx) => {
      if (policies.length !== ctx.numHeads) throw new InputError(`headwise: ${policies.length} policies for ${ctx.numHeads} heads`);
      return planOf(
        policies.map((policy, h) => {
          const fraction = Math.min(1, Math.max(0, options.fractions?.[h] ?? 1));
          const plan = policy.select(oneHead(ctx, h, Math.max(1, Math.floor(fraction * ctx.budget))));
          return [...('shared' in plan ? plan.shared : (plan.perHead[0] ?? []))];
        }),
      );
    },
  };
}

/** Head h of a context as a context of its own (lazy fields stay lazy). */
function oneHead(ctx: EvictionContext, h: number, budget: number): EvictionContext {
  return {
    length: ctx.length,
    numHeads: 1,
    headPositions: [ctx.headPositions[h] as readonly number[]],
    get headGroups() {
      return [ctx.headGroups[h] as readonly number[]];
    },
    get keyRedundancy() {
      const redundancy = ctx.keyRedundancy;
      return redundancy ? [redundancy[h] as Float32Array] : undefined;
    },
    unit: ctx.unit,
    ...(ctx.scores ? { scores: [ctx.scores[h] as Float32Array] } : {}),
    budget,
  };
}
