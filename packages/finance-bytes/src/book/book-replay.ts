import { InputError } from '@nextx/core';
import { EVENT_TYPE_NAMES, EventFlag, EventType, HaltPrice, Side, type LobEvent } from '../events/lob-event.js';
import type { BookLevels } from '../io/lobster-orderbook.js';
import { OrderBook } from './order-book.js';
import type { RestingOrder } from './price-level.js';

/** The consistency rules a replay checks. */
export type ReplayRule =
  | 'duplicate-order'
  | 'unknown-order'
  | 'wrong-side'
  | 'wrong-price'
  | 'oversize'
  | 'delete-size'
  | 'crossed-book'
  | 'not-at-best'
  | 'time-priority'
  | 'halted';

export interface ReplayViolation {
  /** 0-based record number in the stream. */
  readonly record: number;
  readonly rule: ReplayRule;
  readonly message: string;
}

export interface BookReplayOptions {
  /** 'throw' (default): an InputError at the first violation; 'record': the event is skipped and listed. */
  readonly onViolation?: 'throw' | 'record';
  /** Check time priority: an execution must take the first order of its level (default true). */
  readonly checkPriority?: boolean;
}

type Target = { kind: 'order'; order: RestingOrder } | { kind: 'seed' };

const sideName = (side: Side) => (side === Side.Buy ? 'buy' : 'sell');

/**
 * Replays an event stream into an OrderBook and checks it: cancels, deletes and executions must name a live order
 * (or, for orders placed before the stream began, the seed volume of their level) on its side and price, with no
 * more than it holds (no negative depth); deletes remove exactly what is left; submits must not cross the book and
 * must not reuse a live id; executions take the best price and, with checkPriority, the first order in time; nothing
 * executes while halted, and nothing new is quoted while halted.
 */
export class BookReplay {
  readonly book = new OrderBook();
  readonly violations: ReplayViolation[] = [];
  private readonly onViolation: 'throw' | 'record';
  /**
   * Ids submitted while seed volume is left: once gone, they must not fall back to it. (Seed events come first, so
   * nothing needs tracking once the seeds are used up.)
   */
  private readonly submitted = new Set<number>();
  private seedsLeft = 0;
  private readonly checkPriority: boolean;
  private record = 0;

  constructor(options: BookReplayOptions = {}) {
    this.onViolation = options.onViolation ?? 'throw';
    this.checkPriority = options.checkPriority ?? true;
  }

  /** Events applied or rejected so far. */
  get count(): number {
    return this.record;
  }

  /** Applies one event; returns the violation (the event is then not applied) or undefined. */
  apply(event: LobEvent): ReplayViolation | undefined {
    const record = this.record++;
    this.book.timeNs += event.dtNs;
    const problem = this.check(event);
    if (problem) {
      const violation: ReplayViolation = { record, rule: problem[0], message: `record ${record} (${EVENT_TYPE_NAMES[event.type]} of order ${event.orderId}): ${problem[1]}` };
      if (this.onViolation === 'throw') throw new InputError(`order-book replay: ${violation.message} [${violation.rule}]`);
      this.violations.push(violation);
      return violation;
    }
    return undefined;
  }

  /** Checks `event` against the book and applies it when it is consistent; returns [rule, detail] otherwise. */
  private check(e: LobEvent): [ReplayRule, string] | undefined {
    const book = this.book;
    switch (e.type) {
      case EventType.Submit: {
        const seed = (e.flags & EventFlag.Seed) !== 0;
        if (!seed && book.state === 'halted') return ['halted', 'a submit while trading is halted'];
        if (!seed && book.orders.has(e.orderId)) return ['duplicate-order', `order ${e.orderId} is already live`];
        const best = book.opposite(e.side).best();
        if (best !== undefined && (e.side === Side.Buy ? e.price >= best : e.price <= best)) {
          return ['crossed-book', `a ${sideName(e.side)} at ${e.price} would cross the best ${e.side === Side.Buy ? 'ask' : 'bid'} ${best}`];
        }
        if (seed) {
          book.addSeed(e.side, e.price, e.size);
          this.seedsLeft += e.size;
        } else {
          book.addOrder({ id: e.orderId, side: e.side, price: e.price, hidden: false, remaining: e.size });
          if (this.seedsLeft > 0) this.submitted.add(e.orderId);
        }
        return undefined;
      }
      case EventType.Cancel:
      case EventType.Delete:
      case EventType.Execute: {
        if (e.type === EventType.Execute && book.state !== 'trading') return ['halted', `an execution while ${book.state}`];
        const target = this.target(e);
        if (Array.isArray(target)) return target;
        const available = target.kind === 'seed' ? (book.side(e.side).get(e.price)?.seed ?? 0) : target.order.remaining;
        if (e.size > available) return ['oversize', `size ${e.size} exceeds the ${available} left`];
        if (e.type === EventType.Delete && target.kind === 'order' && e.size !== available) {
          return ['delete-size', `a delete of ${e.size} leaves ${available - e.size} of the order`];
        }
        if (e.type === EventType.Execute) {
          const best = book.side(e.side).bestVisible();
          if (best !== e.price) return ['not-at-best', `an execution at ${e.price}, the best ${e.side === Side.Buy ? 'bid' : 'ask'} is ${best}`];
          if (this.checkPriority) {
            const level = book.side(e.side).get(e.price);
            const first = level && level.seed > 0 ? 'seed' : level?.firstVisible()?.id;
            const mine = target.kind === 'seed' ? 'seed' : target.order.id;
            if (first !== mine) return ['time-priority', `order ${String(mine)} executes before ${String(first)}, which is ahead of it in the queue`];
          }
        }
        if (target.kind === 'seed') {
          book.reduceSeed(e.side, e.price, e.size);
          this.seedsLeft -= e.size;
          if (this.seedsLeft === 0) this.submitted.clear();
        } else book.reduceOrder(target.order, e.size);
        return undefined;
      }
      case EventType.ExecuteHidden:
        return book.state === 'trading' ? undefined : ['halted', `a hidden execution while ${book.state}`];
      case EventType.Cross:
        return undefined;
      case EventType.Halt:
        book.state = e.price === HaltPrice.Halt ? 'halted' : e.price === HaltPrice.ResumeQuotes ? 'quoting' : 'trading';
        return undefined;
    }
  }

  /** The live order an event names, the seed volume of its level for an id the stream never submitted, or why not. */
  private target(e: LobEvent): Target | [ReplayRule, string] {
    const order = this.book.orders.get(e.orderId);
    if (order) {
      if (order.side !== e.side) return ['wrong-side', `order ${e.orderId} is a ${sideName(order.side)}, the event says ${sideName(e.side)}`];
      if (order.price !== e.price) return ['wrong-price', `order ${e.orderId} rests at ${order.price}, the event says ${e.price}`];
      return { kind: 'order', order };
    }
    if ((this.book.side(e.side).get(e.price)?.seed ?? 0) > 0 && !this.submitted.has(e.orderId)) return { kind: 'seed' };
    return ['unknown-order', `no live ${sideName(e.side)} order ${e.orderId} at ${e.price}`];
  }
}

/**
 * Replays events and yields the visible book (best `levels` levels per side) after every event that is not a seed:
 * the rows of a LOBSTER order-book file. Violations throw (or are skipped with onViolation 'record').
 */
export async function* replaySnapshots(
  events: AsyncIterable<readonly LobEvent[]> | Iterable<readonly LobEvent[]>,
  levels: number,
  options: BookReplayOptions = {},
): AsyncGenerator<BookLevels> {
  const replay = new BookReplay(options);
  for await (const batch of events) {
    for (const event of batch) {
      replay.apply(event);
      if ((event.flags & EventFlag.Seed) === 0) yield replay.book.snapshot(levels);
    }
  }
}

export interface ReplaySummary {
  readonly events: number;
  readonly violations: readonly ReplayViolation[];
  /** Share of events that replayed without a violation. */
  readonly consistentRate: number;
}

/** Replays a whole stream, recording every violation (what the generated-stream report counts). */
export function checkStream(events: Iterable<LobEvent>, options: Omit<BookReplayOptions, 'onViolation'> = {}): ReplaySummary {
  const replay = new BookReplay({ ...options, onViolation: 'record' });
  for (const event of events) replay.apply(event);
  const n = replay.count;
  return { events: n, violations: replay.violations, consistentRate: n === 0 ? 1 : (n - replay.violations.length) / n };
}
