import { z } from 'zod';
import { stringify } from 'csv-stringify';
import { InputError, parseConfig } from '@nextx/core';
import type { EventType} from '../events/lob-event.js';
import { EVENT_TYPE_NAMES, Side, type LobEvent } from '../events/lob-event.js';
import { eventProblem } from '../codec/event-rules.js';
import { streamToFileAtomic } from './atomic-stream.js';
import { csvFieldError, readCsvRows } from './csv-rows.js';
import { exactQuotient, formatScaled, parseDecimal, toExactNumber, type Decimal } from './exact-decimal.js';

const typeName = z.enum(['submit', 'cancel', 'delete', 'execute', 'execute-hidden', 'cross', 'halt']);
const columnRef = z.union([z.string().min(1), z.number().int().nonnegative()]);

/** Nanoseconds per time unit as a decimal step: a value v in the unit is v / step ns. */
const TIME_STEPS: Readonly<Record<'s' | 'ms' | 'us' | 'ns', Decimal>> = {
  s: { units: 1n, scale: 9 },
  ms: { units: 1n, scale: 6 },
  us: { units: 1n, scale: 3 },
  ns: { units: 1n, scale: 0 },
};

export const csvMappingSchema = z
  .object({
    delimiter: z.string().length(1).default(','),
    /** The first line names the columns. */
    header: z.boolean().default(true),
    /** Where each field is: a header name, or a 0-based column index. `orderId` may be absent (then 0). */
    columns: z.object({
      time: columnRef,
      type: columnRef,
      side: columnRef,
      size: columnRef,
      price: columnRef,
      orderId: columnRef.optional(),
    }),
    /** Unit of the time column, and whether it holds absolute times or inter-arrival times. */
    time: z.object({ unit: z.enum(['s', 'ms', 'us', 'ns']).default('ns'), kind: z.enum(['absolute', 'delta']).default('absolute') }).prefault({}),
    /** Price of one tick as decimal text ("0.01"); every price must be a whole number of ticks. */
    tickSize: z.string().refine((t) => (parseDecimal(t)?.units ?? 0n) > 0n, 'must be a positive decimal such as "0.01"').default('1'),
    /** Text in the type column → event type. Default: LOBSTER's numbers 1–7 and the type names. */
    types: z.record(z.string(), typeName).optional(),
    /** Text in the side column → side. Default: 1/-1, B/S, buy/sell, bid/ask. */
    sides: z.record(z.string(), z.enum(['buy', 'sell'])).optional(),
  })
  .strict();
export type CsvMapping = z.output<typeof csvMappingSchema>;
export type CsvMappingInput = z.input<typeof csvMappingSchema>;

const TYPE_BY_NAME = Object.fromEntries(Object.entries(EVENT_TYPE_NAMES).map(([n, name]) => [name, Number(n) as EventType])) as Record<string, EventType>;
const DEFAULT_TYPES: Record<string, z.infer<typeof typeName>> = {
  ...Object.fromEntries(Object.entries(EVENT_TYPE_NAMES).map(([n, name]) => [n, name as z.infer<typeof typeName>])),
  ...Object.fromEntries(Object.values(EVENT_TYPE_NAMES).map((name) => [name, name as z.infer<typeof typeName>])),
};
const DEFAULT_SIDES: Record<string, 'buy' | 'sell'> = { '1': 'buy', '-1': 'sell', B: 'buy', S: 'sell', buy: 'buy', sell: 'sell', bid: 'buy', ask: 'sell' };
const BATCH = 4096;

type Field = keyof CsvMapping['columns'];

/** Column indices of every mapped field, resolving header names. */
function resolveColumns(mapping: CsvMapping, header: readonly string[] | undefined, file: string): Partial<Record<Field, number>> {
  const out: Partial<Record<Field, number>> = {};
  for (const [field, ref] of Object.entries(mapping.columns) as Array<[Field, string | number | undefined]>) {
    if (ref === undefined) continue;
    if (typeof ref === 'number') {
      out[field] = ref;
      continue;
    }
    if (!header) throw new InputError(`${file}: column '${ref}' for ${field} is named, but the mapping says the file has no header`);
    const index = header.indexOf(ref);
    if (index < 0) throw new InputError(`${file}: no column '${ref}' (for ${field}); the header has ${header.join(', ')}`);
    out[field] = index;
  }
  return out;
}

/**
 * Streams a CSV file of events through a column mapping (csvMappingSchema) as batches of events. Every value is
 * converted exactly (decimal prices to ticks, times to ns); a value off the tick grid, an unknown type or side, or a
 * time going backwards is an InputError naming file, line and column.
 */
export async function* readCsvEvents(file: string, mappingInput: CsvMappingInput): AsyncGenerator<LobEvent[]> {
  const mapping = parseConfig(csvMappingSchema, mappingInput, 'CSV column mapping');
  const tick = parseDecimal(mapping.tickSize) as Decimal;
  const types = mapping.types ?? DEFAULT_TYPES;
  const sides = mapping.sides ?? DEFAULT_SIDES;
  const timeStep = TIME_STEPS[mapping.time.unit];
  let columns: Partial<Record<Field, number>> | undefined = mapping.header ? undefined : resolveColumns(mapping, undefined, file);
  let previousNs = 0;
  let batch: LobEvent[] = [];
  for await (const { fields, line } of readCsvRows(file, { delimiter: mapping.delimiter })) {
    if (!columns) {
      columns = resolveColumns(mapping, fields, file);
      continue;
    }
    const cell = (field: Field): string => {
      const index = columns?.[field];
      const text = index === undefined ? '0' : fields[index];
      if (text === undefined) throw csvFieldError(file, line, String(mapping.columns[field]), `is missing (the row has ${fields.length} columns)`);
      return text.trim();
    };
    const exact = (field: Field, step: Decimal, what: string): number => {
      const text = cell(field);
      const value = parseDecimal(text);
      const q = value ? exactQuotient(value, step) : undefined;
      const n = q === undefined ? undefined : toExactNumber(q);
      if (n === undefined) throw csvFieldError(file, line, String(mapping.columns[field]), `must be ${what}, got '${text}'`);
      return n;
    };
    const typeText = cell('type');
    const type = types[typeText];
    if (!type) throw csvFieldError(file, line, String(mapping.columns.type), `has unknown type '${typeText}' (mapped: ${Object.keys(types).join(', ')})`);
    const sideText = cell('side');
    const side = sides[sideText];
    if (!side) throw csvFieldError(file, line, String(mapping.columns.side), `has unknown side '${sideText}' (mapped: ${Object.keys(sides).join(', ')})`);
    const time = exact('time', timeStep, `a time in ${mapping.time.unit} with no digits finer than 1 ns`);
    const dtNs = mapping.time.kind === 'delta' ? time : time - previousNs;
    if (dtNs < 0) throw csvFieldError(file, line, String(mapping.columns.time), `goes back in time (${time} ns after ${previousNs} ns)`);
    previousNs = mapping.time.kind === 'delta' ? previousNs + time : time;
    const event: LobEvent = {
      type: TYPE_BY_NAME[type] as EventType,
      side: side === 'buy' ? Side.Buy : Side.Sell,
      flags: 0,
      size: exact('size', { units: 1n, scale: 0 }, 'a whole number'),
      price: exact('price', tick, `a whole number of ticks of ${mapping.tickSize}`),
      dtNs,
      orderId: exact('orderId', { units: 1n, scale: 0 }, 'a whole number'),
    };
    const problem = eventProblem(event);
    if (problem) throw new InputError(`${file}:${line}: ${problem.field} ${problem.reason} (got ${String(problem.value)})`);
    batch.push(event);
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Writes events as CSV through a column mapping (the inverse of readCsvEvents: the first text mapped to each type and
 * side, prices as tick multiples, times in the mapping's unit and kind), atomically and streaming with csv-stringify.
 * Columns are written in index order when the mapping uses indices, else in the mapping's field order.
 */
export async function writeCsvEvents(file: string, events: AsyncIterable<readonly LobEvent[]> | Iterable<readonly LobEvent[]>, mappingInput: CsvMappingInput): Promise<void> {
  const mapping = parseConfig(csvMappingSchema, mappingInput, 'CSV column mapping');
  const tick = parseDecimal(mapping.tickSize) as Decimal;
  const typeText = new Map<string, string>();
  for (const [text, name] of Object.entries(mapping.types ?? DEFAULT_TYPES)) if (!typeText.has(name)) typeText.set(name, text);
  const sideText = new Map<string, string>();
  for (const [text, side] of Object.entries(mapping.sides ?? DEFAULT_SIDES)) if (!sideText.has(side)) sideText.set(side, text);
  const fields = (Object.entries(mapping.columns) as Array<[Field, string | number | undefined]>).filter(([, ref]) => ref !== undefined);
  if (fields.some(([, ref]) => typeof ref === 'number')) fields.sort((a, b) => Number(a[1]) - Number(b[1]));
  const timeStep = TIME_STEPS[mapping.time.unit];
  async function* rows(): AsyncGenerator<string[]> {
    if (mapping.header) yield fields.map(([field, ref]) => (typeof ref === 'string' ? ref : field));
    let timeNs = 0;
    for await (const batch of events) {
      for (const e of batch) {
        timeNs += e.dtNs;
        const values: Record<Field, string> = {
          time: formatScaled(mapping.time.kind === 'delta' ? e.dtNs : timeNs, timeStep),
          type: typeText.get(EVENT_TYPE_NAMES[e.type]) ?? String(e.type),
          side: sideText.get(e.side === Side.Buy ? 'buy' : 'sell') ?? String(e.side),
          size: String(e.size),
          price: formatScaled(e.price, tick),
          orderId: String(e.orderId),
        };
        yield fields.map(([field]) => values[field]);
      }
    }
  }
  await streamToFileAtomic(file, rows(), [stringify({ delimiter: mapping.delimiter })]);
}
