import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { EVENT_BYTES, EventDecoder, EventEncoder, EventFieldError, encodeEvents, readAllEvents, readEventFile, writeEventFile, type EventChunk, type LobEvent } from '../../src/index.js';
import { validEvent } from '../helpers/arbitrary-events.js';

async function collect<T>(stream: AsyncIterable<unknown>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item as T);
  return out;
}

/** Splits bytes at the given cut points into Buffers. */
function split(bytes: Uint8Array, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    if (p > start) out.push(Buffer.from(bytes.subarray(start, p)));
    start = Math.max(start, p);
  }
  return out;
}

describe('streaming encode and decode', () => {
  it('reassembles records across arbitrary input chunking, and encodes batches of any size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(validEvent, { minLength: 1, maxLength: 60 }), fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 1, max: 7 }), async (events, cuts, batch) => {
        const encoded = Buffer.concat(await collect<Buffer>(Readable.from(events.map((e, i) => (i % 3 === 0 ? [e] : e)), { objectMode: true }).pipe(new EventEncoder({ batchEvents: batch }))));
        expect(Buffer.compare(encoded, Buffer.from(encodeEvents(events)))).toBe(0);
        const chunks = await collect<EventChunk>(Readable.from(split(encoded, cuts)).pipe(new EventDecoder()));
        expect(chunks.flatMap((c) => c.events)).toEqual(events);
        expect(chunks.map((c) => c.firstRecord)).toEqual(chunks.map((_, i) => chunks.slice(0, i).reduce((n, c) => n + c.events.length, 0)));
      }),
      { numRuns: 100, seed: 5 },
    );
  });

  it('fails with the record number when the input ends inside a record', async () => {
    const bytes = Buffer.from(encodeEvents(fc.sample(validEvent, { numRuns: 3, seed: 6 })));
    const truncated = Readable.from([bytes.subarray(0, 40), bytes.subarray(40, 75)]).pipe(new EventDecoder({ source: 'x.bin' }));
    await expect(collect(truncated)).rejects.toThrow("x.bin: record 2 (byte 64): field 'record' is cut short: the input ends after 11 of 32 bytes");
  });

  it('flags bad records in flag mode and keeps going', async () => {
    const events = fc.sample(validEvent, { numRuns: 5, seed: 7 });
    const bytes = Buffer.from(encodeEvents(events));
    bytes[2 * EVENT_BYTES] = 42; // record 2: type
    const chunks = await collect<EventChunk>(Readable.from([bytes]).pipe(new EventDecoder({ onInvalid: 'flag' })));
    expect(chunks.flatMap((c) => c.events)).toEqual(events.filter((_, i) => i !== 2));
    expect(chunks.flatMap((c) => c.invalid).map((r) => [r.record, r.field, r.value])).toEqual([[2, 'type', '42']]);
  });

  it('the encoder stops at the first bad event with its record number in the stream', async () => {
    const events: LobEvent[] = fc.sample(validEvent, { numRuns: 6, seed: 8 });
    events[4] = { ...(events[4] as LobEvent), side: 3 as LobEvent['side'] };
    const stream = Readable.from([events.slice(0, 3), events.slice(3)], { objectMode: true }).pipe(new EventEncoder({ batchEvents: 2 }));
    const error = await collect(stream).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventFieldError);
    expect((error as EventFieldError).record).toBe(4);
  });
});

describe('event files', () => {
  it('writes atomically, reads back the same events, and leaves no temporary on failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-events-'));
    try {
      const events = fc.sample(validEvent, { numRuns: 9000, seed: 9 });
      const file = join(dir, 'a.bin');
      expect(await writeEventFile(file, [events.slice(0, 5000), events.slice(5000)])).toBe(9000);
      expect(readFileSync(file).length).toBe(9000 * EVENT_BYTES);
      expect(await readAllEvents(file)).toEqual(events);
      const bad = [...events.slice(0, 10), { ...(events[0] as LobEvent), size: -1 }];
      await expect(writeEventFile(join(dir, 'b.bin'), [bad])).rejects.toThrow("record 10 (byte 320): field 'size'");
      expect(readdirSync(dir)).toEqual(['a.bin']);
      writeFileSync(join(dir, 'c.bin'), Buffer.alloc(33));
      await expect(collect(readEventFile(join(dir, 'c.bin')))).rejects.toThrow(/c\.bin: record 0 \(byte 0\): field 'type'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
