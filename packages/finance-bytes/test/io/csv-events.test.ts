import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ConfigError } from '@nextx/core';
import { EventType, Side, readCsvEvents, writeCsvEvents, type CsvMappingInput, type LobEvent } from '../../src/index.js';
import { validEvent } from '../helpers/arbitrary-events.js';

const dir = mkdtempSync(join(tmpdir(), 'fb-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function all<T>(it: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const batch of it) out.push(...batch);
  return out;
}

const mapping: CsvMappingInput = {
  columns: { time: 'ts', type: 'kind', side: 'dir', size: 'qty', price: 'px', orderId: 'oid' },
  time: { unit: 's', kind: 'absolute' },
  tickSize: '0.05',
  types: { A: 'submit', X: 'cancel', D: 'delete', E: 'execute', H: 'execute-hidden', C: 'cross', T: 'halt' },
  sides: { B: 'buy', S: 'sell' },
};

describe('generic CSV through a column mapping', () => {
  it('converts decimal prices to ticks and times to inter-arrival ns exactly', async () => {
    const file = join(dir, 'trades.csv');
    writeFileSync(file, 'oid,ts,kind,dir,px,qty,venue\n1,0.000001,A,B,101.25,10,X\n2,"0.5",E,S,101.30,3,X\n1,0.5,D,B,101.25,10,X\n');
    expect(await all(readCsvEvents(file, mapping))).toEqual([
      { type: EventType.Submit, side: Side.Buy, flags: 0, size: 10, price: 2025, dtNs: 1000, orderId: 1 },
      { type: EventType.Execute, side: Side.Sell, flags: 0, size: 3, price: 2026, dtNs: 499999000, orderId: 2 },
      { type: EventType.Delete, side: Side.Buy, flags: 0, size: 10, price: 2025, dtNs: 0, orderId: 1 },
    ]);
  });

  it('round-trips random events through write and read, by header names and by column indices', async () => {
    const events = fc.sample(validEvent, { numRuns: 300, seed: 11 }).map((e) => ({ ...e, flags: 0, price: e.type === EventType.Halt ? e.price : e.price % 1e12 || 1, dtNs: e.dtNs % 1e12 }));
    const file = join(dir, 'round.csv');
    await writeCsvEvents(file, [events], mapping);
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe('ts,kind,dir,qty,px,oid');
    expect(await all(readCsvEvents(file, mapping))).toEqual(events);
    const byIndex: CsvMappingInput = { header: false, delimiter: ';', columns: { orderId: 0, time: 1, type: 2, side: 3, price: 4, size: 5 }, time: { unit: 'us', kind: 'delta' }, tickSize: '0.001' };
    const us = events.map((e: LobEvent) => ({ ...e, dtNs: e.dtNs - (e.dtNs % 1000) }));
    await writeCsvEvents(file, [us], byIndex);
    expect(await all(readCsvEvents(file, byIndex))).toEqual(us);
  });

  it('names file, line and column of a value it cannot convert exactly', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'oid,ts,kind,dir,px,qty\n1,0.1,A,B,101.25,10\n1,0.2,A,B,101.26,10\n');
    await expect(all(readCsvEvents(file, mapping))).rejects.toThrow(`${file}:3: column 'px' must be a whole number of ticks of 0.05, got '101.26'`);
    writeFileSync(file, 'oid,ts,kind,dir,px,qty\n1,0.1,Q,B,101.25,10\n');
    await expect(all(readCsvEvents(file, mapping))).rejects.toThrow(`${file}:2: column 'kind' has unknown type 'Q'`);
    writeFileSync(file, 'oid,ts,kind,dir,px,qty\n1,0.1000000001,A,B,101.25,10\n');
    await expect(all(readCsvEvents(file, mapping))).rejects.toThrow(`${file}:2: column 'ts' must be a time in s with no digits finer than 1 ns`);
    writeFileSync(file, 'oid,time,kind,dir,px,qty\n');
    await expect(all(readCsvEvents(file, mapping))).rejects.toThrow(`${file}: no column 'ts' (for time)`);
  });

  it('refuses a bad mapping with a ConfigError naming the field', async () => {
    const error = await all(readCsvEvents(join(dir, 'x.csv'), { ...mapping, tickSize: '-1' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).path).toEqual(['tickSize']);
  });
});
