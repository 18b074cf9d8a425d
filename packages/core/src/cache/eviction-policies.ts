import { InputError } from '../errors.js';
import type { EvictionContext, EvictionPolicy, KeepPlan } from './eviction-policy.js';

/** Slots of one head that hold a token (position ≥ 0), newest position first. */
function newestFirst(positions: readonly number[]): number[] {
  return positions
    .map((p, i) => [p, i] as const)
    .filter(([p]) => p >= 0)
    .sort((a, b) => b[0] - a[0] || b[1] - a[1])
    .map(([, i]) => i);
}

function sorted(slots: Iterable<number>): number[] {
  return [...new Set(slots)].sort((a, b) => a - b);
}

/** One plan from per-head lists: shared when every head keeps the same slots. */
function planOf(lists: number[][]): KeepPlan {
  const first = lists[0] ?? [];
  const same = lists.every((l) => l.length === first.length && l.every((x, i) => x === first[i]));
  return same ? { shared: first } : { perHead: lists };
}

/**
 * Per head: the sinks (positions < sinkTokens, oldest first), then the `recent` newest tokens, then — if
 * `scores` are given — the highest-scored of the rest, up to `keep` slots; without scores the rest is by recency.
 */
function selectHead(
  positions: readonly number[],
  keep: number,
  options: { sinkTokens?: number; recent?: number; scores?: Float32Array },
): number[] {
  const chosen = new Set<number>();
  const add = (i: number) => chosen.size < keep && chosen.add(i);
  const sinks = positions
    .map((p, i) => [p, i] as const)
    .filter(([p]) => p >= 0 && p < (options.sinkTokens ?? 0))
    .sort((a, b) => a[0] - b[0]);
  sinks.forEach(([, i]) => add(i));
  const byAge = newestFirst(positions);
  byAge.slice(0, options.recent ?? (options.scores ? 0 : keep)).forEach(add);
  const scores = options.scores;
  if (scores) {
    const rest = byAge.filter((i) => !chosen.has(i)).sort((a, b) => (scores[b] as number) - (scores[a] as number));
    rest.forEach(add);
  }
  byAge.forEach(add);
  return sorted(chosen);
}

/** Rolling window: the `budget` most recent tokens (with a token budget W, sliding-window attention of W). */
export function keepRecent(): EvictionPolicy {
  return {
    name: 'keep-recent',
    needsScores: false,
    select: (ctx) => planOf(ctx.headPositions.map((row) => selectHead(row, ctx.budget, {}))),
  };
}

/** StreamingLLM (Xiao et al. 2023): the first `sinkTokens` positions (attention sinks) plus the most recent. */
export function sinkAndRecent(options: { sinkTokens: number }): EvictionPolicy {
  return {
    name: 'sink-recent',
    needsScores: false,
    select: (ctx) =>
      planOf(ctx.headPositions.map((row) => selectHead(row, ctx.budget, { sinkTokens: options.sinkTokens }))),
  };
}

function requireScores(ctx: EvictionContext, name: string): readonly Float32Array[] {
  if (!ctx.scores) throw new InputError(`eviction policy '${name}' needs accumulated attention scores`);
  return ctx.scores;
}

/**
 * H2O (Zhang et al. 2023) heavy hitters: per head, the `recent` newest tokens always, then the tokens with the
 * largest accumulated attention, up to the budget (optionally after `sinkTokens` sinks).
 */
export function heavyHitter(options: { recent: number; sinkTokens?: number }): EvictionPolicy {
  const name = 'heavy-hitter';
  return {
    name,
    needsScores: true,
    select: (ctx) => {
      const scores = requireScores(ctx, name);
      return planOf(
        ctx.headPositions.map((row, h) =>
          selectHead(row, ctx.budget, { recent: options.recent, sinkTokens: options.sinkTokens, scores: scores[h] }),
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
 * max(1, ⌊fractions[h]·budget⌋) slots chosen as sinks, recent tokens, then by score or recency.
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
        ctx.headPositions.map((row, h) => {
          const fraction = Math.min(1, Math.max(0, options.fractions[h] as number));
          const keep = Math.max(1, Math.floor(fraction * ctx.budget));
          return selectHead(row, keep, { sinkTokens: options.sinkTokens, recent: options.recent, scores: scores?.[h] });
        }),
      );
    },
  };
}
