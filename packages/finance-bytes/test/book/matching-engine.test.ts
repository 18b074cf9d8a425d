import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BookReplay, EventType, MatchingEngine, Side, checkStream, type LobEvent } from '../../src/index.js';

const { Buy, Sell } = Side;
/** [type, side, price, size, orderId] of each event, for compact expectations. */
const brief = (events: readonly LobEvent[]) => events.map((e) => [e.type, e.side, e.price, e.size, e.orderId]);

/** A book with asks 101 × (1: 5, 2: 7), 102 × (3: 4) and bids 99 × (4: 6), 98 × (5: 2). */
function seeded(): { engine: MatchingEngine; log: LobEvent[] } {
  const engine = new MatchingEngine();
  const log: LobEvent[] = [];
  for (const [id, side, price, size] of [
    [1, Sell, 101, 5],
    [2, Sell, 101, 7],
    [3, Sell, 102, 4],
    [4, Buy, 99, 6],
    [5, Buy, 98, 2],
  ] as const) {
    log.push(...engine.submitLimit({ id, side, price, size }, 10));
  }
  return { engine, log };
}

describe('matching engine (price-time priority)', () => {
  it('rests non-crossing limits and reports them as submits', () => {
    const { engine, log } = seeded();
    expect(brief(log)).toEqual([
      [1, Sell, 101, 5, 1],
      [1, Sell, 101, 7, 2],
      [1, Sell, 102, 4, 3],
      [1, Buy, 99, 6, 4],
      [1, Buy, 98, 2, 5],
    ]);
    expect(engine.book.snapshot(5)).toEqual({ asks: [{ price: 101, size: 12 }, { price: 102, size: 4 }], bids: [{ price: 99, size: 6 }, { price: 98, size: 2 }] });
    expect(engine.book.spread()).toBe(2);
    expect(engine.book.midPrice()).toBe(100);
  });

  it('a crossing limit sweeps the best prices in order, partially fills the last order, and rests its remainder', () => {
    const { engine } = seeded();
    const events = engine.submitLimit({ id: 10, side: Buy, price: 102, size: 15 }, 1000);
    // 5 from order 1 and 7 from order 2 at 101 (time priority), then 3 of order 3's 4 at 102: nothing left to rest.
    expect(brief(events)).toEqual([
      [EventType.Execute, Sell, 101, 5, 1],
      [EventType.Execute, Sell, 101, 7, 2],
      [EventType.Execute, Sell, 102, 3, 3],
    ]);
    expect(events.map((e) => e.dtNs)).toEqual([1000, 0, 0]);
    expect(engine.book.orders.get(3)?.remaining).toBe(1);
    const rest = engine.submitLimit({ id: 11, side: Buy, price: 102, size: 3 }, 5);
    expect(brief(rest)).toEqual([
      [EventType.Execute, Sell, 102, 1, 3],
      [EventType.Submit, Buy, 102, 2, 11],
    ]);
    expect(engine.book.snapshot(2)).toEqual({ asks: [], bids: [{ price: 102, size: 2 }, { price: 99, size: 6 }] });
  });

  it('a market order takes liquidity until filled or the side is empty', () => {
    const { engine } = seeded();
    expect(brief(engine.submitMarket({ side: Sell, size: 7 }, 3))).toEqual([
      [EventType.Execute, Buy, 99, 6, 4],
      [EventType.Execute, Buy, 98, 1, 5],
    ]);
    expect(brief(engine.submitMarket({ side: Sell, size: 50 }, 3))).toEqual([[EventType.Execute, Buy, 98, 1, 5]]);
    expect(engine.book.bestBid()).toBeUndefined();
  });

  it('partial cancels shrink an order and keep its place; a full cancel is a delete', () => {
    const { engine } = seeded();
    expect(brief(engine.cancel(1, 7, 2))).toEqual([[EventType.Cancel, Sell, 101, 2, 1]]);
    // Order 1 keeps time priority with 3 left.
    expect(brief(engine.submitMarket({ side: Buy, size: 4 }, 1))).toEqual([
      [EventType.Execute, Sell, 101, 3, 1],
      [EventType.Execute, Sell, 101, 1, 2],
    ]);
    expect(brief(engine.cancel(2, 7))).toEqual([[EventType.Delete, Sell, 101, 6, 2]]);
    expect(engine.book.bestAsk()).toBe(102);
    expect(() => engine.cancel(2, 1)).toThrow('cancel of order 2, which is not live');
  });

  it('hidden orders execute after the visible ones at their price, as type-5 events, and never show in the book', () => {
    const { engine } = seeded();
    expect(engine.submitLimit({ id: 20, side: Sell, price: 101, size: 9, hidden: true }, 1)).toEqual([]);
    expect(engine.submitLimit({ id: 21, side: Sell, price: 100, size: 2, hidden: true }, 1)).toEqual([]);
    expect(engine.book.snapshot(1).asks).toEqual([{ price: 101, size: 12 }]);
    expect(brief(engine.submitMarket({ side: Buy, size: 16 }, 1))).toEqual([
      [EventType.ExecuteHidden, Sell, 100, 2, 21],
      [EventType.Execute, Sell, 101, 5, 1],
      [EventType.Execute, Sell, 101, 7, 2],
      [EventType.ExecuteHidden, Sell, 101, 2, 20],
    ]);
    expect(engine.book.orders.get(20)?.remaining).toBe(7);
    expect(engine.book.snapshot(1).asks).toEqual([{ price: 102, size: 4 }]);
  });

  it('halts: nothing trades while halted, quoting resumes first, then trading', () => {
    const { engine } = seeded();
    expect(brief(engine.halt(-1, 5))).toEqual([[EventType.Halt, Sell, -1, 0, 0]]);
    expect(() => engine.submitMarket({ side: Buy, size: 1 }, 1)).toThrow('market order while halted');
    expect(() => engine.submitLimit({ id: 30, side: Buy, price: 100, size: 1 }, 1)).toThrow('while trading is halted');
    engine.halt(0, 5);
    expect(brief(engine.submitLimit({ id: 30, side: Buy, price: 100, size: 1 }, 1))).toEqual([[EventType.Submit, Buy, 100, 1, 30]]);
    expect(() => engine.submitLimit({ id: 31, side: Buy, price: 101, size: 1 }, 1)).toThrow('only quoting is allowed');
    engine.halt(1, 5);
    expect(brief(engine.submitLimit({ id: 31, side: Buy, price: 101, size: 1 }, 1))).toEqual([[EventType.Execute, Sell, 101, 1, 1]]);
  });

  it('random order flow produces a stream that replays without a violation into the same book', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            kind: fc.constantFrom('limit', 'limit', 'limit', 'market', 'cancel', 'hidden'),
            side: fc.constantFrom(Buy, Sell),
            offset: fc.integer({ min: -4, max: 4 }),
            size: fc.integer({ min: 1, max: 20 }),
            pick: fc.nat(),
            dt: fc.integer({ min: 0, max: 10_000 }),
          }),
          { maxLength: 300 },
        ),
        (actions) => {
          const engine = new MatchingEngine();
          const stream: LobEvent[] = [];
          let id = 1;
          for (const a of actions) {
            const price = 1000 + a.offset;
            if (a.kind === 'market') stream.push(...engine.submitMarket({ side: a.side, size: a.size }, a.dt));
            else if (a.kind === 'cancel') {
              const live = [...engine.book.orders.keys()];
              if (live.length) stream.push(...engine.cancel(live[a.pick % live.length] as number, a.dt, a.pick % 3 === 0 ? 1 : undefined));
            } else stream.push(...engine.submitLimit({ id: id++, side: a.side, price, size: a.size, hidden: a.kind === 'hidden' }, a.dt));
          }
          const replay = new BookReplay();
          for (const e of stream) replay.apply(e);
          expect(replay.book.snapshot(10)).toEqual(engine.book.snapshot(10));
          expect(checkStream(stream).consistentRate).toBe(1);
        },
      ),
      { numRuns: 200, seed: 12 },
    );
  });
});
