import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventFlag, EventType, Side, lobsterTimeToNs, nsToLobsterTime, readLobsterBookRows, readLobsterMessages, writeLobsterBook, writeLobsterMessages, type LobEvent } from '../../src/index.js';
import { LOBSTER_TINY_BOOK, LOBSTER_TINY_MESSAGES } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'fb-lobster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function all<T>(it: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const batch of it) out.push(...batch);
  return out;
}

describe('LOBSTER message files', () => {
  it('parses times exactly to nanoseconds and refuses sub-nanosecond digits', () => {
    expect(lobsterTimeToNs('34200.004241176')).toBe(34200004241176);
    expect(lobsterTimeToNs('34200.5')).toBe(34200500000000);
    expect(lobsterTimeToNs('57599.999999999')).toBe(57599999999999);
    expect(lobsterTimeToNs('34200.0000000001')).toBeUndefined();
    expect(lobsterTimeToNs('-1')).toBeUndefined();
    expect(nsToLobsterTime(34200004241176)).toBe('34200.004241176');
    expect(nsToLobsterTime(5)).toBe('0.000000005');
  });

  it('imports messages as events with inter-arrival times from midnight', async () => {
    const events = await all(readLobsterMessages(LOBSTER_TINY_MESSAGES));
    expect(events).toHaveLength(7);
    expect(events[0]).toEqual({ type: EventType.Submit, side: Side.Buy, flags: 0, size: 18, price: 999900, dtNs: 34200004241176, orderId: 16113575 });
    expect(events.map((e) => e.dtNs)).toEqual([34200004241176, 21310824, 176191000, 0, 98257001, 199999999, 500000000]);
    expect(events[6]).toEqual({ type: EventType.Halt, side: Side.Sell, flags: 0, size: 0, price: -1, dtNs: 500000000, orderId: 0 });
  });

  it('exports byte-identical message text after import', async () => {
    const out = join(dir, 'messages.csv');
    await writeLobsterMessages(out, readLobsterMessages(LOBSTER_TINY_MESSAGES));
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(LOBSTER_TINY_MESSAGES, 'utf8'));
  });

  it('seeds the book before the first message from the order-book file, and drops the seeds on export', async () => {
    const events = await all(readLobsterMessages(LOBSTER_TINY_MESSAGES, { orderbookFile: LOBSTER_TINY_BOOK }));
    const seeds = events.filter((e) => e.flags & EventFlag.Seed);
    // The first row is the book after a buy submit of 18 at 999900: before it that level held 100.
    expect(seeds.map((e) => [e.side, e.price, e.size])).toEqual([
      [Side.Sell, 1000100, 200],
      [Side.Sell, 1000200, 300],
      [Side.Buy, 999900, 100],
      [Side.Buy, 999800, 500],
    ]);
    expect(seeds.every((e) => e.type === EventType.Submit && e.dtNs === 0 && e.orderId === 0)).toBe(true);
    expect(events.slice(4).map((e: LobEvent) => e.dtNs)[0]).toBe(34200004241176);
    const out = join(dir, 'seeded.csv');
    await writeLobsterMessages(out, [events]);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(LOBSTER_TINY_MESSAGES, 'utf8'));
  });

  it('names file, line and column of a bad row', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, '34200.1,1,5,10,999900,1\n34200.2,9,5,10,999900,1\n');
    await expect(all(readLobsterMessages(bad))).rejects.toThrow(`${bad}:2: type is not an event type (1 submit … 7 halt) (got 9)`);
    writeFileSync(bad, '34200.1,1,5,10,999900,1\n34200.0,1,5,10,999900,1\n');
    await expect(all(readLobsterMessages(bad))).rejects.toThrow(`${bad}:2: column 'Time' goes back in time (34200.000000000 after 34200.100000000)`);
    writeFileSync(bad, '34200.1,1,5,10,99.99,1\n');
    await expect(all(readLobsterMessages(bad))).rejects.toThrow(`${bad}:1: column 'Price' must be an integer, got '99.99'`);
    writeFileSync(bad, '34200.1,1,5,10,999900,0\n');
    await expect(all(readLobsterMessages(bad))).rejects.toThrow(`${bad}:1: column 'Direction' must be 1 (buy) or -1 (sell)`);
    writeFileSync(bad, '34200.1,1,5\n');
    await expect(all(readLobsterMessages(bad))).rejects.toThrow(`${bad}:1: a LOBSTER message row has 6 columns`);
    await expect(all(readLobsterMessages(join(dir, 'missing.csv')))).rejects.toThrow('no such file');
  });
});

describe('LOBSTER order-book files', () => {
  it('reads levels, and writes byte-identical rows back', async () => {
    const rows = [];
    for await (const row of readLobsterBookRows(LOBSTER_TINY_BOOK)) rows.push(row);
    expect(rows).toHaveLength(7);
    expect(rows[4]).toEqual({ asks: [{ price: 1000100, size: 150 }, { price: 1000150, size: 10 }], bids: [{ price: 999900, size: 100 }, { price: 999800, size: 400 }] });
    const out = join(dir, 'book.csv');
    await writeLobsterBook(out, rows, 2);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(LOBSTER_TINY_BOOK, 'utf8'));
  });

  it('writes empty levels as LOBSTER placeholders', async () => {
    const out = join(dir, 'empty.csv');
    await writeLobsterBook(out, [{ asks: [{ price: 101, size: 3 }], bids: [] }], 2);
    expect(readFileSync(out, 'utf8')).toBe('101,3,-9999999999,0,9999999999,0,-9999999999,0\n');
  });
});
