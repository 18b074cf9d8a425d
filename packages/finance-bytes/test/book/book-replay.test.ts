import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventType} from '../../src/index.js';
import { BookReplay, EventFlag, Side, checkStream, readLobsterMessages, replaySnapshots, writeLobsterBook, type LobEvent, type ReplayRule } from '../../src/index.js';
import { LOBSTER_TINY_BOOK, LOBSTER_TINY_MESSAGES } from '../helpers/fixtures.js';

const { Buy, Sell } = Side;
const ev = (type: EventType, side: Side, price: number, size: number, orderId: number, flags = 0): LobEvent => ({ type, side, flags, size, price, dtNs: 1, orderId });
const book: LobEvent[] = [ev(1, Sell, 101, 5, 1), ev(1, Sell, 101, 7, 2), ev(1, Buy, 99, 6, 4), ev(1, Buy, 98, 2, 5)];

describe('replaying and checking a stream', () => {
  it('rebuilds the LOBSTER order-book file of the tiny sample byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-replay-'));
    try {
      const out = join(dir, 'book.csv');
      await writeLobsterBook(out, replaySnapshots(readLobsterMessages(LOBSTER_TINY_MESSAGES, { orderbookFile: LOBSTER_TINY_BOOK }), 2), 2);
      expect(readFileSync(out, 'utf8')).toBe(readFileSync(LOBSTER_TINY_BOOK, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const violations: Array<[string, LobEvent[], ReplayRule]> = [
    ['a cancel of an order that was never submitted', [ev(2, Sell, 101, 1, 99)], 'unknown-order'],
    ['a cancel of an order already deleted', [ev(3, Buy, 98, 2, 5), ev(2, Buy, 98, 1, 5)], 'unknown-order'],
    ['a cancel on the wrong side', [ev(2, Buy, 101, 1, 1)], 'wrong-side'],
    ['a cancel at the wrong price', [ev(2, Sell, 102, 1, 1)], 'wrong-price'],
    ['a cancel larger than the order (negative depth)', [ev(2, Sell, 101, 6, 1)], 'oversize'],
    ['a delete that leaves part of the order', [ev(3, Sell, 101, 4, 1)], 'delete-size'],
    ['an execution larger than the resting order', [ev(4, Sell, 101, 6, 1)], 'oversize'],
    ['an execution away from the best price', [ev(4, Buy, 98, 1, 5)], 'not-at-best'],
    ['an execution of the second order in the queue', [ev(4, Sell, 101, 1, 2)], 'time-priority'],
    ['a submit that crosses the spread', [ev(1, Buy, 101, 1, 9)], 'crossed-book'],
    ['a submit reusing a live id', [ev(1, Buy, 97, 1, 4)], 'duplicate-order'],
    ['an execution during a halt', [ev(7, Sell, -1, 0, 0), ev(4, Sell, 101, 1, 1)], 'halted'],
    ['a submit during a halt', [ev(7, Sell, -1, 0, 0), ev(1, Buy, 97, 1, 9)], 'halted'],
    ['an execution while only quoting', [ev(7, Sell, -1, 0, 0), ev(7, Sell, 0, 0, 0), ev(1, Buy, 97, 1, 9), ev(5, Buy, 100, 1, 0)], 'halted'],
  ];
  it.each(violations)('%s is a violation (%s)', (_what, tail, rule) => {
    const summary = checkStream([...book, ...tail]);
    expect(summary.violations.map((v) => v.rule)).toEqual([rule]);
    expect(summary.violations[0]?.record).toBe(book.length + tail.length - 1);
    expect(summary.violations[0]?.message).toMatch(new RegExp(`^record ${book.length + tail.length - 1} \\(`));
    expect(() => {
      const r = new BookReplay();
      for (const e of [...book, ...tail]) r.apply(e);
    }).toThrow(`[${rule}]`);
  });

  it('accepts what the rules allow: priority order, partial fills, trading after a halt, hidden and cross trades', () => {
    const ok = [
      ...book,
      ev(4, Sell, 101, 2, 1),
      ev(2, Sell, 101, 1, 2),
      ev(4, Sell, 101, 3, 1),
      ev(5, Buy, 100, 3, 0),
      ev(6, Buy, 100, 50, 0),
      ev(7, Sell, -1, 0, 0),
      ev(6, Buy, 100, 10, 0),
      ev(7, Sell, 0, 0, 0),
      ev(1, Buy, 100, 3, 7),
      ev(7, Sell, 1, 0, 0),
      ev(4, Sell, 101, 6, 2),
      ev(3, Buy, 100, 3, 7),
    ];
    expect(checkStream(ok).violations).toEqual([]);
    expect(checkStream(ok, { checkPriority: true }).consistentRate).toBe(1);
  });

  it('resolves ids placed before the stream began against the seed volume of their level', () => {
    const seeded = [ev(1, Sell, 101, 10, 0, EventFlag.Seed), ev(4, Sell, 101, 4, 777), ev(2, Sell, 101, 6, 778)];
    expect(checkStream(seeded).violations).toEqual([]);
    expect(checkStream([...seeded, ev(2, Sell, 101, 1, 779)]).violations.map((v) => v.rule)).toEqual(['unknown-order']);
    // Visible orders queue behind the seed volume.
    const queued = [ev(1, Sell, 101, 10, 0, EventFlag.Seed), ev(1, Sell, 101, 5, 1), ev(4, Sell, 101, 1, 1)];
    expect(checkStream(queued).violations.map((v) => v.rule)).toEqual(['time-priority']);
  });
});
