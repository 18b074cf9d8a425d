import { EventFlag, EventType, type LobEvent } from '../events/lob-event.js';
import { BookReplay } from '../book/book-replay.js';
import type { BookLevels } from '../io/lobster-orderbook.js';

export interface MarketSeriesOptions {
  /** Clock interval of the mid-price samples, ns (default 10 s). */
  readonly intervalNs?: number;
  /** Sample the mid every N events instead (event time: for short generated streams). */
  readonly everyEvents?: number;
  /** Price units per tick: spreads are reported in ticks (default 1). */
  readonly tickUnits?: number;
  /** Levels per side kept in the depth snapshots (default 10). */
  readonly depthLevels?: number;
  /**
   * Events replayed first to build the book, but not measured (e.g. the real history a generated continuation
   * starts from).
   */
  readonly history?: Iterable<LobEvent>;
}

/** The series the stylized facts are computed from, read off a replay of an event stream. */
export interface MarketSeries {
  /** Mid price (price units) at each clock sample where both sides were quoted, and its time (s). */
  readonly midTimes: number[];
  readonly mids: number[];
  /** Log returns of consecutive mid samples. */
  readonly returns: number[];
  /** Inter-arrival times (ns) between distinct timestamps: the dtNs > 0 of the stream. */
  readonly interArrivalNs: number[];
  /** Bid-ask spread in ticks after every event where both sides are quoted. */
  readonly spreads: number[];
  /** Visible size at the best bid and at the best ask, after every event. */
  readonly bestDepth: number[];
  /** Sizes of submitted limit orders (seed events excluded) and of executions. */
  readonly orderSizes: number[];
  readonly executionSizes: number[];
  /** Depth snapshots at the clock samples (for the heatmap). */
  readonly snapshots: BookLevels[];
  /** Events replayed and events the replay rejected. */
  readonly events: number;
  readonly rejected: number;
}

/**
 * Replays a stream (rejected events are skipped, so generated streams can be measured too) and samples the series:
 * mid price every `intervalNs` of stream time, spreads and best depth after every event, order and execution sizes,
 * and inter-arrival times.
 */
export function marketSeries(events: Iterable<LobEvent>, options: MarketSeriesOptions = {}): MarketSeries {
  const interval = options.intervalNs ?? 10e9;
  const tick = options.tickUnits ?? 1;
  const levels = options.depthLevels ?? 10;
  const replay = new BookReplay({ onViolation: 'record' });
  let time = 0;
  for (const e of options.history ?? []) {
    replay.apply(e);
    time += e.dtNs;
  }
  const skipped = replay.count;
  const skippedViolations = replay.violations.length;
  const out: MarketSeries = { midTimes: [], mids: [], returns: [], interArrivalNs: [], spreads: [], bestDepth: [], orderSizes: [], executionSizes: [], snapshots: [], events: 0, rejected: 0 };
  let nextSample = time + interval;
  for (const e of events) {
    // Clock samples fall between events: the book as it was before this one.
    time += e.dtNs;
    while (!options.everyEvents && time >= nextSample) {
      const mid = replay.book.midPrice();
      if (mid !== undefined) {
        out.midTimes.push(nextSample / 1e9);
        out.mids.push(mid);
        out.snapshots.push(replay.book.snapshot(levels));
      }
      nextSample += interval;
    }
    if (e.dtNs > 0) out.interArrivalNs.push(e.dtNs);
    const rejected = replay.apply(e) !== undefined;
    if (options.everyEvents && (replay.count - skipped) % options.everyEvents === 0) {
      const mid = replay.book.midPrice();
      if (mid !== undefined) {
        out.midTimes.push(time / 1e9);
        out.mids.push(mid);
        out.snapshots.push(replay.book.snapshot(levels));
      }
    }
    if (rejected) continue;
    if (e.type === EventType.Submit && (e.flags & EventFlag.Seed) === 0) out.orderSizes.push(e.size);
    if (e.type === EventType.Execute || e.type === EventType.ExecuteHidden) out.executionSizes.push(e.size);
    const spread = replay.book.spread();
    if (spread !== undefined) out.spreads.push(spread / tick);
    const best = replay.book.snapshot(1);
    if (best.bids[0]) out.bestDepth.push(best.bids[0].size);
    if (best.asks[0]) out.bestDepth.push(best.asks[0].size);
  }
  for (let i = 1; i < out.mids.length; i++) out.returns.push(Math.log((out.mids[i] as number) / (out.mids[i - 1] as number)));
  return { ...out, events: replay.count - skipped, rejected: replay.violations.length - skippedViolations };
}
