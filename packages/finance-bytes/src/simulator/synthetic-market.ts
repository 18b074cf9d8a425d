import { Rng, parseConfig } from '@nextx/core';
import { Side, type LobEvent } from '../events/lob-event.js';
import { MatchingEngine } from '../book/matching-engine.js';
import { HawkesProcess, type HawkesKernel } from './hawkes-process.js';
import { syntheticMarketSchema, type SyntheticMarketConfig, type SyntheticMarketConfigInput } from './market-config.js';

/** Hawkes dimensions: market, limit and cancel orders of each side. */
const enum Flow {
  MarketBuy,
  MarketSell,
  LimitBuy,
  LimitSell,
  CancelBuy,
  CancelSell,
}
const FLOWS = 6;
const sideOf = (flow: Flow): Side => (flow % 2 === 0 ? Side.Buy : Side.Sell);

const CLASSES = ['market', 'limit', 'cancel'] as const;
const classOf = (flow: Flow) => CLASSES[Math.floor(flow / 2)] as (typeof CLASSES)[number];

/** The two exponential kernels of the arrivals, from the class-to-class excitation of the config. */
function hawkesKernels(config: SyntheticMarketConfig): HawkesKernel[] {
  const { excitation, sameSide, fastDecay, slowDecay, slowShare } = config.hawkes;
  const offspring = (i: Flow, j: Flow) => excitation[classOf(i)][classOf(j)] * (sideOf(i) === sideOf(j) ? sameSide : 1 - sameSide);
  const kernel = (beta: number, share: number): HawkesKernel => ({
    beta,
    alpha: Array.from({ length: FLOWS }, (_, i) => Array.from({ length: FLOWS }, (_, j) => offspring(i, j) * share * beta)),
  });
  return [kernel(fastDecay, 1 - slowShare), kernel(slowDecay, slowShare)];
}

/**
 * A seeded agent-based market: order flow arrives as a six-dimensional Hawkes process (market, limit and cancel
 * orders per side, self- and cross-exciting on a fast and a slow time scale), zero-intelligence agents place limit
 * orders at power-law distances from the opposite best quote with round-lot sizes, takers send market orders of
 * Pareto-distributed size, and a price-time-priority matching engine turns it all into LOBSTER-style events.
 * The same seed gives the same stream.
 */
export class SyntheticMarket {
  readonly config: SyntheticMarketConfig;
  readonly engine = new MatchingEngine();
  private readonly rng: Rng;
  private readonly hawkes: HawkesProcess;
  private readonly placementCdf: Float64Array;
  /** Running sums of (k + 1)^−cancelExponent for the level a cancellation hits. */
  private readonly cancelNorm: Float64Array;
  private nextId: number;
  private timeNs = 0;
  private lastEmittedNs = 0;

  constructor(config: SyntheticMarketConfigInput = {}) {
    this.config = parseConfig(syntheticMarketSchema, config, 'synthetic market config');
    this.rng = Rng.seeded(this.config.seed);
    const { market, limit, cancel } = this.config.baseline;
    this.hawkes = new HawkesProcess([market, market, limit, limit, cancel, cancel], hawkesKernels(this.config));
    const { exponent, maxDepth } = this.config.placement;
    const weights = Array.from({ length: maxDepth + 1 }, (_, d) => (d + 1) ** -exponent);
    const total = weights.reduce((a, b) => a + b, 0);
    let acc = 0;
    this.placementCdf = Float64Array.from(weights, (w) => (acc += w / total));
    let norm = 0;
    this.cancelNorm = Float64Array.from({ length: 200 }, (_, k) => (norm += (k + 1) ** -this.config.cancelExponent));
    this.nextId = this.config.firstOrderId;
  }

  /** Expected offspring per event of the arrival process (its branching ratio). */
  branchingRatio(): number {
    return this.hawkes.branchingRatio();
  }

  /** Streams `count` events in batches (the initial book first, as submits at time 0). */
  *events(count: number, batchSize = 4096): Generator<LobEvent[]> {
    let batch: LobEvent[] = [];
    let produced = 0;
    const emit = (events: LobEvent[]) => {
      for (const e of events) {
        if (produced >= count) return;
        batch.push(e);
        produced++;
      }
    };
    emit(this.initialBook());
    while (produced < count) {
      emit(this.step());
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }

  private initialBook(): LobEvent[] {
    const events: LobEvent[] = [];
    const { startPrice, initialLevels } = this.config;
    for (let level = 0; level < initialLevels; level++) {
      for (const side of [Side.Sell, Side.Buy]) {
        const ticks = side === Side.Sell ? startPrice + 1 + level : startPrice - 1 - level;
        for (let k = 0; k < 2; k++) events.push(...this.limit(side, ticks, this.roundLot(), false));
      }
    }
    return events;
  }

  /** One arrival of the Hawkes process and what it triggers (possibly nothing, e.g. a cancel with no order). */
  private step(): LobEvent[] {
    const { type } = this.hawkes.next(this.rng);
    this.timeNs = Math.round(this.hawkes.now * 1e9);
    const side = sideOf(type);
    const book = this.engine.book;
    let events: LobEvent[] = [];
    switch (type as Flow) {
      case Flow.MarketBuy:
      case Flow.MarketSell:
        if (book.opposite(side).best() !== undefined) events = this.market(side);
        break;
      case Flow.LimitBuy:
      case Flow.LimitSell:
        events = this.placeLimit(side);
        break;
      case Flow.CancelBuy:
      case Flow.CancelSell:
        events = this.cancelOne(side);
        break;
    }
    for (const s of [Side.Buy, Side.Sell]) {
      if (book.side(s).prices.length < this.config.minLevels) events.push(...this.placeLimit(s));
    }
    return events;
  }

  /**
   * Runs an engine action with the inter-arrival time of its first event: the time since the last emitted event. An
   * action that emits nothing (a hidden order) leaves that time to the next event.
   */
  private timed(action: (dtNs: number) => LobEvent[]): LobEvent[] {
    const events = action(this.timeNs - this.lastEmittedNs);
    if (events.length > 0) this.lastEmittedNs = this.timeNs;
    return events;
  }

  private market(side: Side): LobEvent[] {
    const { scale, exponent, maxLevels } = this.config.marketSize;
    const available = this.engine.book.snapshot(maxLevels)[side === Side.Buy ? 'asks' : 'bids'].reduce((sum, level) => sum + level.size, 0);
    const size = Math.min(available, Math.max(1, Math.round(scale * (1 - this.rng.uniform()) ** (-1 / exponent))));
    if (size === 0) return [];
    return this.timed((dt) => this.engine.submitMarket({ side, size }, dt));
  }

  private placeLimit(side: Side): LobEvent[] {
    const book = this.engine.book;
    const u = this.rng.uniform();
    let depth = 0;
    while (depth < this.placementCdf.length - 1 && u > (this.placementCdf[depth] as number)) depth++;
    const inTicks = (price: number | undefined) => (price === undefined ? undefined : price / this.config.tickUnits);
    const oppositeBest = inTicks(book.opposite(side).bestVisible());
    const ownBest = inTicks(book.side(side).bestVisible());
    // Measured from the opposite best when there is one (d = 0 improves the quote by one tick inside the spread).
    const anchor = oppositeBest ?? (ownBest !== undefined ? ownBest + (side === Side.Buy ? 1 : -1) : this.config.startPrice + (side === Side.Buy ? 1 : -1));
    let ticks = side === Side.Buy ? anchor - 1 - depth : anchor + 1 + depth;
    if (ticks < 1) ticks = 1;
    const hidden = this.rng.uniform() < this.config.hiddenShare;
    return this.limit(side, ticks, this.limitSizeDraw(), hidden);
  }

  private limit(side: Side, ticks: number, size: number, hidden: boolean): LobEvent[] {
    const id = this.nextId++;
    const events = this.timed((dt) => this.engine.submitLimit({ id, side, price: ticks * this.config.tickUnits, size, hidden }, dt));
    return events;
  }

  /**
   * Cancels an order of a side: a level at distance k from the best with P(k) ∝ (k + 1)^−cancelExponent (most
   * cancellations happen near the quotes), then one of its live orders at random; partial with `partialCancel`.
   */
  private cancelOne(side: Side): LobEvent[] {
    const prices = this.engine.book.side(side).prices;
    if (prices.length === 0) return [];
    let k = 0;
    const u = this.rng.uniform() * (this.cancelNorm[Math.min(prices.length, this.cancelNorm.length) - 1] as number);
    while ((this.cancelNorm[k] as number) < u && k < prices.length - 1) k++;
    const order = this.engine.book.side(side).get(prices[k] as number)?.orderAt(this.rng.uniform());
    if (!order) return [];
    const partial = order.remaining > 1 && this.rng.uniform() < this.config.partialCancel;
    return this.timed((dt) => this.engine.cancel(order.id, dt, partial ? Math.floor(order.remaining / 2) : undefined));
  }

  private roundLot(): number {
    const { lot, p } = this.config.limitSize;
    let lots = 1;
    while (this.rng.uniform() > p && lots < 50) lots++;
    return lots * lot;
  }

  private limitSizeDraw(): number {
    const { lot, oddLot } = this.config.limitSize;
    return this.rng.uniform() < oddLot && lot > 1 ? this.rng.int(1, lot - 1) : this.roundLot();
  }
}
