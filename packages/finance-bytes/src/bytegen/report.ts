import type { LobEvent } from '../events/lob-event.js';
import { marketSeries, type MarketSeries } from '../stylized/market-series.js';
import { compareSeries, stylizedFacts, type ComparedSeries, type DistributionDistance, type StylizedFacts } from '../stylized/stylized-facts.js';
import type { GeneratedRecord } from './generate.js';

export interface GenerationCounts {
  readonly records: number;
  /** Records that decode to a valid event. */
  readonly decoded: number;
  /** Records that decode and replay without a violation. */
  readonly consistent: number;
  readonly decodeRate: number;
  readonly consistentRate: number;
  /** Why the others failed: field problems and replay rules, with counts. */
  readonly problems: Record<string, number>;
}

export function countRecords(records: readonly GeneratedRecord[]): GenerationCounts {
  const problems: Record<string, number> = {};
  for (const r of records) if (r.problem) problems[r.problem] = (problems[r.problem] ?? 0) + 1;
  const decoded = records.filter((r) => r.event).length;
  const consistent = records.filter((r) => r.consistent).length;
  const n = Math.max(1, records.length);
  return { records: records.length, decoded, consistent, decodeRate: decoded / n, consistentRate: consistent / n, problems };
}

export interface StylizedReport {
  readonly sampling: string;
  readonly real: StylizedFacts;
  readonly generated: StylizedFacts;
  readonly distances: Record<ComparedSeries, DistributionDistance>;
}

/** Concatenates the series of several streams (each replayed from the same history). */
function joinSeries(parts: readonly MarketSeries[]): MarketSeries {
  const cat = <K extends keyof MarketSeries>(k: K) => parts.flatMap((p) => p[k] as unknown as unknown[]) as unknown as MarketSeries[K];
  return {
    midTimes: cat('midTimes'),
    mids: cat('mids'),
    returns: cat('returns'),
    interArrivalNs: cat('interArrivalNs'),
    spreads: cat('spreads'),
    bestDepth: cat('bestDepth'),
    orderSizes: cat('orderSizes'),
    executionSizes: cat('executionSizes'),
    snapshots: cat('snapshots'),
    events: parts.reduce((a, p) => a + p.events, 0),
    rejected: parts.reduce((a, p) => a + p.rejected, 0),
  };
}

/**
 * The stylized facts of generated streams next to those of real continuations of the same history (each replayed
 * on the history's book), with KS and Wasserstein-1 distances per series. The mid is sampled in event time (every
 * `everyEvents` events), because generated streams are short in clock time.
 */
export function stylizedReport(
  history: readonly LobEvent[],
  real: readonly (readonly LobEvent[])[],
  generated: readonly (readonly LobEvent[])[],
  options: { readonly tickUnits: number; readonly everyEvents?: number },
): { report: StylizedReport; real: MarketSeries; generated: MarketSeries; realPath: MarketSeries; generatedPath: MarketSeries } {
  const everyEvents = options.everyEvents ?? 16;
  const one = (stream: readonly LobEvent[]) => marketSeries(stream, { history, tickUnits: options.tickUnits, everyEvents });
  const realParts = real.map(one);
  const generatedParts = generated.map(one);
  const realSeries = joinSeries(realParts);
  const generatedSeries = joinSeries(generatedParts);
  const facts = (s: MarketSeries) => stylizedFacts(s, { maxLag: 10 });
  return {
    report: { sampling: `mid every ${everyEvents} events`, real: facts(realSeries), generated: facts(generatedSeries), distances: compareSeries(realSeries, generatedSeries) },
    real: realSeries,
    generated: generatedSeries,
    realPath: realParts[0] ?? realSeries,
    generatedPath: generatedParts[0] ?? generatedSeries,
  };
}
