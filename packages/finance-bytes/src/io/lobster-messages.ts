import { InputError } from '@nextx/core';
import { EventFlag, EventType, Side, type LobEvent } from '../events/lob-event.js';
import { eventProblem } from '../codec/event-rules.js';
import { streamToFileAtomic } from './atomic-stream.js';
import { csvFieldError, readCsvRows } from './csv-rows.js';
import { exactQuotient, formatScaled, parseDecimal, toExactNumber, type Decimal } from './exact-decimal.js';
import { readLobsterBookRows, type BookLevels } from './lobster-orderbook.js';

/** LOBSTER's message file columns (no header line). */
export const LOBSTER_MESSAGE_COLUMNS = ['Time', 'Type', 'OrderID', 'Size', 'Price', 'Direction'] as const;

const NANOSECOND: Decimal = { units: 1n, scale: 9 };
const BATCH = 4096;

export interface LobsterImportOptions {
  /**
   * The matching `*_orderbook_*.csv`: its first row (the book after the first message) seeds the book that the file
   * starts from, as submit events flagged `Seed` (order id 0, at time 0) before the first message.
   */
  readonly orderbookFile?: string;
}

function integerField(file: string, line: number, column: string, text: string): number {
  const value = parseDecimal(text);
  const exact = value && value.scale === 0 ? toExactNumber(value.units) : undefined;
  if (exact === undefined) throw csvFieldError(file, line, column, `must be an integer, got '${text}'`);
  return exact;
}

/** Seconds after midnight ("34200.004241176") → nanoseconds, exactly; finer than 1 ns is refused. */
export function lobsterTimeToNs(text: string): number | undefined {
  const value = parseDecimal(text);
  const ns = value ? exactQuotient(value, NANOSECOND) : undefined;
  return ns === undefined || ns < 0n ? undefined : toExactNumber(ns);
}

export function nsToLobsterTime(ns: number): string {
  return formatScaled(ns, NANOSECOND);
}

/** One message row → its event fields (time as absolute ns). */
function parseMessageRow(file: string, line: number, fields: readonly string[]): { event: Omit<LobEvent, 'dtNs'>; timeNs: number } {
  if (fields.length < 6) throw new InputError(`${file}:${line}: a LOBSTER message row has 6 columns (${LOBSTER_MESSAGE_COLUMNS.join(', ')}), got ${fields.length}`);
  const [timeText, typeText, idText, sizeText, priceText, directionText] = fields as [string, string, string, string, string, string];
  const timeNs = lobsterTimeToNs(timeText);
  if (timeNs === undefined) throw csvFieldError(file, line, 'Time', `must be seconds after midnight with at most 9 decimals, got '${timeText}'`);
  const direction = integerField(file, line, 'Direction', directionText);
  if (direction !== 1 && direction !== -1) throw csvFieldError(file, line, 'Direction', `must be 1 (buy) or -1 (sell), got '${directionText}'`);
  const event = {
    type: integerField(file, line, 'Type', typeText) as EventType,
    side: direction === 1 ? Side.Buy : Side.Sell,
    flags: 0,
    size: integerField(file, line, 'Size', sizeText),
    price: integerField(file, line, 'Price', priceText),
    orderId: integerField(file, line, 'OrderID', idText),
  };
  return { event, timeNs };
}

/** The book before the first message: its snapshot row with the message's own effect undone. */
function bookBeforeFirst(after: BookLevels, first: Omit<LobEvent, 'dtNs'>): BookLevels {
  const removes: readonly EventType[] = [EventType.Cancel, EventType.Delete, EventType.Execute];
  const change = first.type === EventType.Submit ? -first.size : removes.includes(first.type) ? first.size : 0;
  if (change === 0) return after;
  const key = first.side === Side.Buy ? 'bids' : 'asks';
  const levels = new Map(after[key].map(({ price, size }) => [price, size]));
  levels.set(first.price, (levels.get(first.price) ?? 0) + change);
  const list = [...levels].filter(([, size]) => size > 0).map(([price, size]) => ({ price, size }));
  list.sort((a, b) => (key === 'bids' ? b.price - a.price : a.price - b.price));
  return { ...after, [key]: list };
}

function seedEvents(book: BookLevels): LobEvent[] {
  const seed = (side: Side) => ({ price, size }: { price: number; size: number }): LobEvent => ({
    type: EventType.Submit,
    side,
    flags: EventFlag.Seed,
    size,
    price,
    dtNs: 0,
    orderId: 0,
  });
  return [...book.asks.map(seed(Side.Sell)), ...book.bids.map(seed(Side.Buy))];
}

/**
 * Streams a LOBSTER message file as batches of events. Times become inter-arrival times (the first from midnight),
 * exactly; a time earlier than the previous row, an unknown type, a direction other than ±1 or a value the packed
 * format cannot hold is an InputError naming file, line and column.
 */
export async function* readLobsterMessages(file: string, options: LobsterImportOptions = {}): AsyncGenerator<LobEvent[]> {
  let batch: LobEvent[] = [];
  let previousNs = 0;
  let first = true;
  for await (const { fields, line } of readCsvRows(file)) {
    const { event, timeNs } = parseMessageRow(file, line, fields);
    if (first && options.orderbookFile) {
      for await (const after of readLobsterBookRows(options.orderbookFile)) {
        batch.push(...seedEvents(bookBeforeFirst(after, event)));
        break;
      }
    }
    first = false;
    if (timeNs < previousNs) throw csvFieldError(file, line, 'Time', `goes back in time (${nsToLobsterTime(timeNs)} after ${nsToLobsterTime(previousNs)})`);
    const full: LobEvent = { ...event, dtNs: timeNs - previousNs };
    const problem = eventProblem(full);
    if (problem) throw new InputError(`${file}:${line}: ${problem.field} ${problem.reason} (got ${String(problem.value)})`);
    previousNs = timeNs;
    batch.push(full);
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Formats events as LOBSTER message rows (seed events dropped; their time still counts). */
export async function* lobsterMessageLines(events: AsyncIterable<readonly LobEvent[]> | Iterable<readonly LobEvent[]>, startNs = 0): AsyncGenerator<string> {
  let timeNs = startNs;
  for await (const batch of events) {
    let text = '';
    for (const e of batch) {
      timeNs += e.dtNs;
      if ((e.flags & EventFlag.Seed) !== 0) continue;
      text += `${nsToLobsterTime(timeNs)},${e.type},${e.orderId},${e.size},${e.price},${e.side === Side.Buy ? 1 : -1}\n`;
    }
    if (text) yield text;
  }
}

/** Writes events as a LOBSTER message file, atomically and streaming; times count from `startNs` (default midnight). */
export async function writeLobsterMessages(file: string, events: AsyncIterable<readonly LobEvent[]> | Iterable<readonly LobEvent[]>, startNs = 0): Promise<void> {
  await streamToFileAtomic(file, lobsterMessageLines(events, startNs), [], { objectMode: false });
}
