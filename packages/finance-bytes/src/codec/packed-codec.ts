import type { EventType, LobEvent, Side } from '../events/lob-event.js';
import { EVENT_BYTES } from './event-layout.js';
import { EventFieldError, type FieldProblem, type InvalidRecord } from './event-field-error.js';
import { eventProblem } from './event-rules.js';

const TWO_32 = 2 ** 32;

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Writes one event at `offset` (no validation: callers check with eventProblem first). */
function writeValidEvent(view: DataView, offset: number, e: LobEvent): void {
  view.setUint8(offset, e.type);
  view.setUint8(offset + 1, e.side);
  view.setUint8(offset + 2, e.flags);
  view.setUint8(offset + 3, 0);
  view.setUint32(offset + 4, e.size, true);
  const priceHigh = Math.floor(e.price / TWO_32);
  view.setUint32(offset + 8, e.price - priceHigh * TWO_32, true);
  view.setInt32(offset + 12, priceHigh, true);
  const dtHigh = Math.floor(e.dtNs / TWO_32);
  view.setUint32(offset + 16, e.dtNs - dtHigh * TWO_32, true);
  view.setUint32(offset + 20, dtHigh, true);
  const idHigh = Math.floor(e.orderId / TWO_32);
  view.setUint32(offset + 24, e.orderId - idHigh * TWO_32, true);
  view.setUint32(offset + 28, idHigh, true);
}

/**
 * Packs events into `out` starting at event slot `firstSlot`. Every event is checked first; a bad one throws an
 * EventFieldError naming its record (`firstRecord` + its index) and field.
 */
export function encodeEventsInto(events: readonly LobEvent[], out: Uint8Array, firstSlot = 0, firstRecord = 0): void {
  if (out.length < (firstSlot + events.length) * EVENT_BYTES) {
    throw new RangeError(`encodeEventsInto: ${events.length} events do not fit ${out.length} bytes from slot ${firstSlot}`);
  }
  const view = viewOf(out);
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as LobEvent;
    const problem = eventProblem(event);
    if (problem) throw new EventFieldError(firstRecord + i, problem);
    writeValidEvent(view, (firstSlot + i) * EVENT_BYTES, event);
  }
}

/** Packs events into a new byte array of 32 bytes per event. */
export function encodeEvents(events: readonly LobEvent[], firstRecord = 0): Uint8Array {
  const out = new Uint8Array(events.length * EVENT_BYTES);
  encodeEventsInto(events, out, 0, firstRecord);
  return out;
}

export function encodeEvent(event: LobEvent, record = 0): Uint8Array {
  return encodeEvents([event], record);
}

/** The exact decimal value of a 64-bit field (for messages about values beyond 2⁵³ − 1). */
function exact64(view: DataView, offset: number, signed: boolean): string {
  return (signed ? view.getBigInt64(offset, true) : view.getBigUint64(offset, true)).toString();
}

const HEADER_FIELDS = new Set(['type', 'side', 'flags']);
const WIDE_FIELDS: Readonly<Record<string, [number, boolean]>> = { price: [8, true], dtNs: [16, false], orderId: [24, false] };

/**
 * Decodes the record at byte `offset`: the event, or the first problem in field order. 64-bit fields beyond 2⁵³ − 1
 * are reported with their exact value.
 */
export function readEvent(bytes: Uint8Array, offset: number, view: DataView = viewOf(bytes)): LobEvent | FieldProblem {
  const event: LobEvent = {
    type: view.getUint8(offset) as EventType,
    side: view.getUint8(offset + 1) as Side,
    flags: view.getUint8(offset + 2),
    size: view.getUint32(offset + 4, true),
    price: view.getInt32(offset + 12, true) * TWO_32 + view.getUint32(offset + 8, true),
    dtNs: view.getUint32(offset + 20, true) * TWO_32 + view.getUint32(offset + 16, true),
    orderId: view.getUint32(offset + 28, true) * TWO_32 + view.getUint32(offset + 24, true),
  };
  const problem = eventProblem(event);
  if (problem && HEADER_FIELDS.has(problem.field)) return problem;
  const reserved = view.getUint8(offset + 3);
  if (reserved !== 0) return { field: 'reserved', value: reserved, reason: 'must be 0' };
  if (!problem) return event;
  const wide = WIDE_FIELDS[problem.field];
  return wide ? { ...problem, value: exact64(view, offset + wide[0], wide[1]) } : problem;
}

export function isFieldProblem(value: LobEvent | FieldProblem): value is FieldProblem {
  return 'reason' in value;
}

export type OnInvalid = 'throw' | 'flag';

export interface DecodedEvents {
  readonly events: LobEvent[];
  /** Records that did not decode (only in 'flag' mode; 'throw' mode throws at the first). */
  readonly invalid: InvalidRecord[];
}

export interface DecodeOptions {
  /** 'throw' (default): an EventFieldError at the first bad record; 'flag': skip it and list it in `invalid`. */
  readonly onInvalid?: OnInvalid;
  /** Record number of the first record of `bytes` (for messages and for `invalid`). */
  readonly firstRecord?: number;
  /** Names the source (a file) in errors. */
  readonly source?: string;
}

/** Decodes whole 32-byte records; a length that is not a multiple of 32 is an error naming the partial record. */
export function decodeEvents(bytes: Uint8Array, options: DecodeOptions = {}): DecodedEvents {
  const firstRecord = options.firstRecord ?? 0;
  if (bytes.length % EVENT_BYTES !== 0) {
    const record = firstRecord + Math.floor(bytes.length / EVENT_BYTES);
    throw new EventFieldError(record, { field: 'record', value: bytes.length % EVENT_BYTES, reason: `is cut short: ${bytes.length % EVENT_BYTES} of ${EVENT_BYTES} bytes` }, options.source);
  }
  const view = viewOf(bytes);
  const count = bytes.length / EVENT_BYTES;
  const events: LobEvent[] = [];
  const invalid: InvalidRecord[] = [];
  for (let i = 0; i < count; i++) {
    const decoded = readEvent(bytes, i * EVENT_BYTES, view);
    if (!isFieldProblem(decoded)) {
      events.push(decoded);
      continue;
    }
    if (options.onInvalid !== 'flag') throw new EventFieldError(firstRecord + i, decoded, options.source);
    invalid.push({ ...decoded, record: firstRecord + i, bytes: bytes.slice(i * EVENT_BYTES, (i + 1) * EVENT_BYTES) });
  }
  return { events, invalid };
}

/** Decodes one 32-byte record; throws EventFieldError when it is not a valid event. */
export function decodeEvent(bytes: Uint8Array, record = 0): LobEvent {
  if (bytes.length !== EVENT_BYTES) {
    throw new EventFieldError(record, { field: 'record', value: bytes.length, reason: `must be ${EVENT_BYTES} bytes` });
  }
  const decoded = readEvent(bytes, 0);
  if (isFieldProblem(decoded)) throw new EventFieldError(record, decoded);
  return decoded;
}
