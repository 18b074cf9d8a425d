import { InputError } from '@nextx/core';
import { EventType, HaltPrice, Side, type LobEvent } from '../events/lob-event.js';
import { OrderBook } from './order-book.js';
import type { PriceLevel } from './price-level.js';

export interface LimitOrder {
  readonly id: number;
  readonly side: Side;
  readonly size: number;
  /** Limit price in ticks. */
  readonly price: number;
  /** A non-displayed order: it rests behind the visible orders of its price and its submission is not reported. */
  readonly hidden?: boolean;
}

export interface MarketOrder {
  readonly side: Side;
  readonly size: number;
}

/**
 * A price-time-priority matching engine that reports what it does as LOBSTER-style events: an incoming order that
 * crosses executes against the opposite side from the best price outwards and, within a price, seed volume first,
 * then visible orders in arrival order, then hidden ones, one execution event per resting order it touches (type 4,
 * or 5 for hidden; side, price and id of the resting order); an unfilled limit remainder rests and is reported as a
 * submit (hidden ones silently). The first event of an action carries its inter-arrival time, the rest 0.
 */
export class MatchingEngine {
  readonly book = new OrderBook();

  /** A limit order: executions against the book, then a submit of what rests. */
  submitLimit(order: LimitOrder, dtNs: number): LobEvent[] {
    this.requireOpen(order);
    const events: LobEvent[] = [];
    const left = this.sweep(order.side, order.size, order.price, events, dtNs);
    if (left > 0) {
      this.book.addOrder({ id: order.id, side: order.side, price: order.price, hidden: order.hidden ?? false, remaining: left });
      if (!order.hidden) events.push(this.event(EventType.Submit, order.side, order.price, left, order.id, events.length === 0 ? dtNs : 0));
    }
    this.book.timeNs += dtNs;
    return events;
  }

  /** A market order: executions until it is filled or the opposite side is empty (the rest is dropped). */
  submitMarket(order: MarketOrder, dtNs: number): LobEvent[] {
    if (this.book.state !== 'trading') throw new InputError(`market order while ${this.book.state}`);
    const events: LobEvent[] = [];
    this.sweep(order.side, order.size, undefined, events, dtNs);
    this.book.timeNs += dtNs;
    return events;
  }

  /** Cancels `size` of a live order (all of it by default): a partial cancel (2) or a delete (3). */
  cancel(id: number, dtNs: number, size?: number): LobEvent[] {
    const order = this.book.orders.get(id);
    if (!order) throw new InputError(`cancel of order ${id}, which is not live`);
    const amount = Math.min(size ?? order.remaining, order.remaining);
    const type = amount === order.remaining ? EventType.Delete : EventType.Cancel;
    this.book.reduceOrder(order, amount);
    this.book.timeNs += dtNs;
    // A hidden order's cancellation is as invisible as its submission.
    return order.hidden ? [] : [this.event(type, order.side, order.price, amount, id, dtNs)];
  }

  /** Halts trading (−1), resumes quoting (0) or resumes trading (1). */
  halt(code: -1 | 0 | 1, dtNs: number): LobEvent[] {
    this.book.state = code === HaltPrice.Halt ? 'halted' : code === HaltPrice.ResumeQuotes ? 'quoting' : 'trading';
    this.book.timeNs += dtNs;
    return [{ type: EventType.Halt, side: Side.Sell, flags: 0, size: 0, price: code, dtNs, orderId: 0 }];
  }

  private requireOpen(order: LimitOrder): void {
    if (this.book.state === 'halted') throw new InputError(`order ${order.id} while trading is halted`);
    if (this.book.orders.has(order.id)) throw new InputError(`order ${order.id} is already live`);
    if (this.book.state === 'quoting' && this.crosses(order.side, order.price)) {
      throw new InputError(`order ${order.id} would execute while only quoting is allowed`);
    }
  }

  private crosses(side: Side, limit: number | undefined): boolean {
    const best = this.book.opposite(side).best();
    return best !== undefined && (limit === undefined || (side === Side.Buy ? best <= limit : best >= limit));
  }

  /** Fills up to `size` against the opposite side within `limit`; appends the executions; returns what is left. */
  private sweep(side: Side, size: number, limit: number | undefined, events: LobEvent[], dtNs: number): number {
    let left = size;
    const opposite = this.book.opposite(side);
    const restingSide = side === Side.Buy ? Side.Sell : Side.Buy;
    while (left > 0 && this.crosses(side, limit)) {
      const level = opposite.get(opposite.best() as number) as PriceLevel;
      left = this.fillLevel(level, restingSide, left, events, dtNs);
    }
    return left;
  }

  private fillLevel(level: PriceLevel, restingSide: Side, size: number, events: LobEvent[], dtNs: number): number {
    let left = size;
    const dt = () => (events.length === 0 ? dtNs : 0);
    if (level.seed > 0) {
      const take = Math.min(left, level.seed);
      events.push(this.event(EventType.Execute, restingSide, level.price, take, 0, dt()));
      this.book.reduceSeed(restingSide, level.price, take);
      left -= take;
    }
    for (let order = level.firstVisible() ?? level.firstHidden(); left > 0 && order; order = level.firstVisible() ?? level.firstHidden()) {
      const take = Math.min(left, order.remaining);
      events.push(this.event(order.hidden ? EventType.ExecuteHidden : EventType.Execute, restingSide, level.price, take, order.id, dt()));
      this.book.reduceOrder(order, take);
      left -= take;
    }
    return left;
  }

  private event(type: EventType, side: Side, price: number, size: number, orderId: number, dtNs: number): LobEvent {
    return { type, side, flags: 0, size, price, dtNs, orderId };
  }
}
