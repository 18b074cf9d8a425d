import { InputError } from '@nextx/core';
import { streamToFileAtomic } from './atomic-stream.js';
import { csvFieldError, readCsvRows } from './csv-rows.js';
import { parseDecimal, toExactNumber } from './exact-decimal.js';

export interface DepthLevel {
  readonly price: number;
  readonly size: number;
}

/** Visible depth: asks from the best (lowest) up, bids from the best (highest) down. */
export interface BookLevels {
  readonly asks: readonly DepthLevel[];
  readonly bids: readonly DepthLevel[];
}

/** LOBSTER's placeholders for an empty level: ask price 9999999999, bid price −9999999999, size 0. */
export const LOBSTER_EMPTY_ASK = 9999999999;
export const LOBSTER_EMPTY_BID = -9999999999;

const COLUMN_NAMES = ['AskPrice', 'AskSize', 'BidPrice', 'BidSize'] as const;

/**
 * Streams a LOBSTER order-book file (per row and level: ask price, ask size, bid price, bid size) as BookLevels,
 * dropping the empty-level placeholders.
 */
export async function* readLobsterBookRows(file: string): AsyncGenerator<BookLevels> {
  let width: number | undefined;
  for await (const { fields, line } of readCsvRows(file)) {
    if (fields.length === 0 || fields.length % 4 !== 0) {
      throw new InputError(`${file}:${line}: an order-book row has 4 columns per level (${COLUMN_NAMES.join(', ')}), got ${fields.length}`);
    }
    if (width !== undefined && fields.length !== width) throw new InputError(`${file}:${line}: ${fields.length} columns, earlier rows had ${width}`);
    width = fields.length;
    const values = fields.map((text, i) => {
      const d = parseDecimal(text);
      const n = d && d.scale === 0 ? toExactNumber(d.units) : undefined;
      if (n === undefined) throw csvFieldError(file, line, `${COLUMN_NAMES[i % 4]}${Math.floor(i / 4) + 1}`, `must be an integer, got '${text}'`);
      return n;
    });
    const asks: DepthLevel[] = [];
    const bids: DepthLevel[] = [];
    for (let level = 0; level < values.length / 4; level++) {
      const [askPrice, askSize, bidPrice, bidSize] = values.slice(level * 4, level * 4 + 4) as [number, number, number, number];
      if (askSize > 0 && askPrice !== LOBSTER_EMPTY_ASK) asks.push({ price: askPrice, size: askSize });
      if (bidSize > 0 && bidPrice !== LOBSTER_EMPTY_BID) bids.push({ price: bidPrice, size: bidSize });
    }
    yield { asks, bids };
  }
}

/** One LOBSTER order-book row of `levels` levels (missing levels as placeholders). */
export function lobsterBookLine(book: BookLevels, levels: number): string {
  const cells: number[] = [];
  for (let i = 0; i < levels; i++) {
    const ask = book.asks[i];
    const bid = book.bids[i];
    cells.push(ask ? ask.price : LOBSTER_EMPTY_ASK, ask ? ask.size : 0, bid ? bid.price : LOBSTER_EMPTY_BID, bid ? bid.size : 0);
  }
  return `${cells.join(',')}\n`;
}

/** Writes snapshots as a LOBSTER order-book file, atomically and streaming. */
export async function writeLobsterBook(file: string, snapshots: AsyncIterable<BookLevels> | Iterable<BookLevels>, levels: number): Promise<void> {
  async function* lines(): AsyncGenerator<string> {
    for await (const book of snapshots) yield lobsterBookLine(book, levels);
  }
  await streamToFileAtomic(file, lines(), [], { objectMode: false });
}
