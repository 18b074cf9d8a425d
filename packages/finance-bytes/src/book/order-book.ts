import { Side } from '../events/lob-event.js';
import type { BookLevels, DepthLevel } from '../io/lobster-orderbook.js';
import { PriceLevel, type RestingOrder } from './price-level.js';

/** Trading state as set by halt events: halted (−1), quoting only (0), trading (1). */
export type TradingState = 'trading' | 'quoting' | 'halted';

/** Sorted list of the active prices of one side, best first. */
class SideLevels {
  readonly levels = new Map<number, PriceLevel>();
  /** Active prices, best first (bids descending, asks ascending). */
  readonly prices: number[] = [];

  constructor(private readonly better: (a: number, b: number) => boolean) {}

  get(price: number): PriceLevel | undefined {
    return this.levels.get(price);
  }

  getOrCreate(price: number): PriceLevel {
    let level = this.levels.get(price);
    if (!level) {
      level = new PriceLevel(price);
      this.levels.set(price, level);
      this.prices.splice(this.insertionIndex(price), 0, price);
    }
    return level;
  }

  removeIfEmpty(level: PriceLevel): void {
    if (!level.empty) return;
    this.levels.delete(level.price);
    const i = this.insertionIndex(level.price);
    if (this.prices[i] === level.price) this.prices.splice(i, 1);
  }

  /** Best price with visible volume (hidden-only levels are not quotes). */
  bestVisible(): number | undefined {
    for (const price of this.prices) if ((this.levels.get(price) as PriceLevel).visible > 0) return price;
    return undefined;
  }

  /** Best price with any volume, visible or hidden (what an incoming order meets first). */
  best(): number | undefined {
    return this.prices[0];
  }

  private insertionIndex(price: number): number {
    let lo = 0;
    let hi = this.prices.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.better(this.prices[mid] as number, price)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  depth(levels: number): DepthLevel[] {
    const out: DepthLevel[] = [];
    for (const price of this.prices) {
      if (out.length >= levels) break;
      const size = (this.levels.get(price) as PriceLevel).visible;
      if (size > 0) out.push({ price, size });
    }
    return out;
  }
}

/**
 * The state of a limit order book: price levels of both sides, live orders by id, and the trading state. The replay
 * (book-replay.ts) and the matching engine (matching-engine.ts) change it; the queries here read it.
 */
export class OrderBook {
  readonly bids = new SideLevels((a, b) => a > b);
  readonly asks = new SideLevels((a, b) => a < b);
  readonly orders = new Map<number, RestingOrder>();
  state: TradingState = 'trading';
  /** Time of the last event, ns since the origin (the running sum of dtNs). */
  timeNs = 0;

  side(side: Side): SideLevels {
    return side === Side.Buy ? this.bids : this.asks;
  }

  opposite(side: Side): SideLevels {
    return side === Side.Buy ? this.asks : this.bids;
  }

  bestBid(): number | undefined {
    return this.bids.bestVisible();
  }

  bestAsk(): number | undefined {
    return this.asks.bestVisible();
  }

  /** (best bid + best ask) / 2 in ticks, or undefined while one side is empty. */
  midPrice(): number | undefined {
    const bid = this.bestBid();
    const ask = this.bestAsk();
    return bid === undefined || ask === undefined ? undefined : (bid + ask) / 2;
  }

  spread(): number | undefined {
    const bid = this.bestBid();
    const ask = this.bestAsk();
    return bid === undefined || ask === undefined ? undefined : ask - bid;
  }

  /** Visible depth: the best `levels` levels of each side (what a LOBSTER order-book row holds). */
  snapshot(levels: number): BookLevels {
    return { asks: this.asks.depth(levels), bids: this.bids.depth(levels) };
  }

  addOrder(order: RestingOrder): void {
    this.side(order.side).getOrCreate(order.price).add(order);
    this.orders.set(order.id, order);
  }

  /** Takes `size` from a live order, dropping it (and its level, when empty) at zero. */
  reduceOrder(order: RestingOrder, size: number): void {
    const levels = this.side(order.side);
    const level = levels.get(order.price) as PriceLevel;
    level.reduce(order, size);
    if (order.remaining === 0) this.orders.delete(order.id);
    levels.removeIfEmpty(level);
  }

  addSeed(side: Side, price: number, size: number): void {
    this.side(side).getOrCreate(price).addSeed(size);
  }

  reduceSeed(side: Side, price: number, size: number): void {
    const levels = this.side(side);
    const level = levels.get(price) as PriceLevel;
    level.reduceSeed(size);
    levels.removeIfEmpty(level);
  }
}
