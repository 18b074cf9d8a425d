import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  EVENT_BYTES,
  EventFieldError,
  EventType,
  FIELDS,
  Side,
  decodeEvent,
  decodeEvents,
  encodeEvent,
  encodeEvents,
  type LobEvent,
} from '../../src/index.js';
import { validEvent } from '../helpers/arbitrary-events.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('packed 32-byte event layout', () => {
  it('writes every field little-endian at its documented offset (hand-computed bytes)', () => {
    const event: LobEvent = { type: EventType.Submit, side: Side.Sell, flags: 0, size: 100, price: 5853300, dtNs: 1234567890123, orderId: 42 };
    // type 01 | side 02 | flags 00 | reserved 00 | size 0x64 | price 0x595074 | dt 0x11F71FB04CB | id 0x2A
    expect(hex(encodeEvent(event))).toBe('01020000' + '64000000' + '7450590000000000' + 'cb04fb711f010000' + '2a00000000000000');
    expect(FIELDS.reduce((sum, f) => sum + f.width, 0)).toBe(EVENT_BYTES);
  });

  it('stores a negative price (a halt) as two’s complement i64', () => {
    const halt: LobEvent = { type: EventType.Halt, side: Side.Buy, flags: 0, size: 0, price: -1, dtNs: 0, orderId: 0 };
    expect(hex(encodeEvent(halt).subarray(8, 16))).toBe('ffffffffffffffff');
    expect(decodeEvent(encodeEvent(halt))).toEqual(halt);
  });

  it('round-trips random events bit-exactly (event → bytes → event → bytes)', () => {
    fc.assert(
      fc.property(fc.array(validEvent, { minLength: 1, maxLength: 20 }), (events) => {
        const bytes = encodeEvents(events);
        expect(bytes.length).toBe(events.length * EVENT_BYTES);
        const decoded = decodeEvents(bytes).events;
        expect(decoded).toEqual(events);
        expect(hex(encodeEvents(decoded))).toBe(hex(bytes));
      }),
      { numRuns: 500, seed: 1 },
    );
  });

  it('re-encodes every decodable random record to the same 32 bytes', () => {
    let decodable = 0;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.constantFrom(1, 2, 3, 4, 5, 6, 7), fc.constantFrom(1, 2), (raw, type, side) => {
        // Make the header plausible so that the numeric fields get exercised too.
        const bytes = Uint8Array.from(raw);
        bytes[0] = type;
        bytes[1] = side;
        bytes[2] = 0;
        bytes[3] = 0;
        // price, dtNs and orderId below 2^53 most of the time
        for (const at of [14, 15, 22, 23, 30, 31]) bytes[at] = 0;
        const { events, invalid } = decodeEvents(bytes, { onInvalid: 'flag' });
        if (events.length === 1) {
          decodable++;
          expect(hex(encodeEvent(events[0] as LobEvent))).toBe(hex(bytes));
        } else {
          expect(invalid).toHaveLength(1);
        }
      }),
      { numRuns: 1000, seed: 2 },
    );
    expect(decodable).toBeGreaterThan(100);
  });
});

describe('out-of-range values are refused with the record and field', () => {
  const base: LobEvent = { type: EventType.Submit, side: Side.Buy, flags: 0, size: 10, price: 1000, dtNs: 5, orderId: 7 };
  const cases: Array<[Partial<Record<keyof LobEvent, unknown>>, string]> = [
    [{ type: 9 }, 'type'],
    [{ side: 0 }, 'side'],
    [{ flags: 0x80 }, 'flags'],
    [{ type: EventType.Delete, flags: 1 }, 'flags'],
    [{ size: 0 }, 'size'],
    [{ size: 2 ** 32 }, 'size'],
    [{ size: 1.5 }, 'size'],
    [{ price: 0 }, 'price'],
    [{ price: 2 ** 53 }, 'price'],
    [{ type: EventType.Halt, size: 0, price: 2 }, 'price'],
    [{ type: EventType.Halt, size: 3, price: 0 }, 'size'],
    [{ dtNs: -1 }, 'dtNs'],
    [{ dtNs: Number.NaN }, 'dtNs'],
    [{ orderId: 2 ** 53 }, 'orderId'],
  ];
  it.each(cases)('%o → field %s', (change, field) => {
    const events = [base, base, { ...base, ...change } as LobEvent];
    let error: unknown;
    try {
      encodeEvents(events, 100);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EventFieldError);
    const e = error as EventFieldError;
    expect(e.field).toBe(field);
    expect(e.record).toBe(102);
    expect(e.message).toContain(`record 102 (byte 3264): field '${field}'`);
  });

  it('names a 64-bit value beyond 2^53 − 1 exactly when decoding', () => {
    const bytes = encodeEvent(base);
    bytes.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 24);
    expect(() => decodeEvent(bytes, 3)).toThrow("record 3 (byte 96): field 'orderId' is not an integer in 0 … 2^53 − 1 (got 18446744073709551615)");
    bytes.set(encodeEvent(base).subarray(24), 24);
    bytes[3] = 1;
    expect(() => decodeEvent(bytes, 3)).toThrow("field 'reserved' must be 0 (got 1)");
  });

  it('refuses a byte length that is not a whole number of records, naming the partial record', () => {
    expect(() => decodeEvents(new Uint8Array(70), { firstRecord: 10 })).toThrow("record 12 (byte 384): field 'record' is cut short: 6 of 32 bytes");
  });
});

describe('1,000 random corrupt records', () => {
  it('each decodes to a valid event that re-encodes to the same bytes, or is a clear error / flagged record; never a crash', () => {
    const valid = fc.sample(validEvent, { numRuns: 1000, seed: 3 });
    const corrupt = fc.sample(
      fc.tuple(fc.array(fc.tuple(fc.integer({ min: 0, max: 31 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.boolean()),
      { numRuns: 1000, seed: 4 },
    );
    const fieldNames = new Set([...FIELDS.map((f) => f.name), 'record']);
    const seen = new Map<string, number>();
    const all = new Uint8Array(1000 * EVENT_BYTES);
    corrupt.forEach(([edits, garbage], i) => {
      const bytes = garbage ? Uint8Array.from({ length: 32 }, (_, k) => (i * 131 + k * 197 + (edits[0]?.[1] ?? 0)) & 0xff) : encodeEvent(valid[i] as LobEvent);
      for (const [at, value] of edits) bytes[at] = value;
      all.set(bytes, i * EVENT_BYTES);
      try {
        const event = decodeEvent(bytes, i);
        expect(hex(encodeEvent(event))).toBe(hex(bytes));
        seen.set('valid', (seen.get('valid') ?? 0) + 1);
      } catch (error) {
        expect(error).toBeInstanceOf(EventFieldError);
        const e = error as EventFieldError;
        expect(fieldNames.has(e.field)).toBe(true);
        expect(e.message).toMatch(new RegExp(`^record ${i} \\(byte ${i * 32}\\): field '${e.field}' .+ \\(got .+\\)$`));
        seen.set(e.field, (seen.get(e.field) ?? 0) + 1);
      }
    });
    // The same records in one stream, flag mode: every bad one is listed with its record number and bytes.
    const { events, invalid } = decodeEvents(all, { onInvalid: 'flag' });
    expect(events.length + invalid.length).toBe(1000);
    expect(events.length).toBe(seen.get('valid') ?? 0);
    for (const bad of invalid) expect(hex(bad.bytes)).toBe(hex(all.subarray(bad.record * 32, bad.record * 32 + 32)));
    // The corruptions reached several fields, not one check only.
    expect([...seen.keys()].filter((k) => k !== 'valid').length).toBeGreaterThanOrEqual(6);
  });
});
