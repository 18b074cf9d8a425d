/**
 * Codec throughput and memory: 10 M events streamed through EventEncoder → EventDecoder (in memory), then written to
 * a .bin file and read back (disk). Prints JSON: events/s for each, and heap/RSS samples every million events (flat
 * memory = the stream never holds more than a few batches).
 *
 *   npx tsx packages/finance-bytes/bench/codec.ts [--events 10000000]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { performance } from 'node:perf_hooks';
import type { EventType} from '../src/index.js';
import { EventDecoder, EventEncoder, Side, readEventFile, writeEventFile, type EventChunk, type LobEvent } from '../src/index.js';

const argIndex = process.argv.indexOf('--events');
const TOTAL = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 10_000_000;
const BATCH = 4096;

/** Deterministic synthetic events, generated lazily in batches. */
function* events(total: number): Generator<LobEvent[]> {
  let x = 12345;
  for (let start = 0; start < total; start += BATCH) {
    const batch: LobEvent[] = [];
    for (let i = start; i < Math.min(total, start + BATCH); i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      batch.push({ type: ((x >>> 8) % 6) + 1 as EventType, side: (x & 1) === 0 ? Side.Buy : Side.Sell, flags: 0, size: 1 + (x % 500), price: 1_000_000 + (x % 2000), dtNs: x % 1_000_000, orderId: i });
    }
    yield batch;
  }
}

interface MemorySample {
  readonly events: number;
  readonly heapMB: number;
  readonly rssMB: number;
}

function sampler() {
  const samples: MemorySample[] = [];
  let next = 1_000_000;
  return {
    samples,
    count(n: number) {
      if (n >= next) {
        const m = process.memoryUsage();
        samples.push({ events: n, heapMB: +(m.heapUsed / 2 ** 20).toFixed(1), rssMB: +(m.rss / 2 ** 20).toFixed(1) });
        next += 1_000_000;
      }
    },
  };
}

const spread = (samples: readonly MemorySample[], key: 'heapMB' | 'rssMB') => {
  const values = samples.slice(1).map((s) => s[key]);
  return values.length ? +(Math.max(...values) - Math.min(...values)).toFixed(1) : 0;
};

async function inMemory() {
  const memory = sampler();
  let decoded = 0;
  let checksum = 0;
  const started = performance.now();
  await pipeline(
    Readable.from(events(TOTAL), { objectMode: true }),
    new EventEncoder(),
    new EventDecoder(),
    new Writable({
      objectMode: true,
      write(chunk: EventChunk, _encoding, callback) {
        decoded += chunk.events.length;
        checksum = (checksum + (chunk.events[chunk.events.length - 1]?.price ?? 0)) % 1e9;
        memory.count(decoded);
        callback();
      },
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { events: decoded, seconds: +seconds.toFixed(2), eventsPerSecond: Math.round(decoded / seconds), checksum, heapSpreadMB: spread(memory.samples, 'heapMB'), rssSpreadMB: spread(memory.samples, 'rssMB'), memory: memory.samples };
}

async function onDisk() {
  const dir = mkdtempSync(join(tmpdir(), 'fb-codec-bench-'));
  try {
    const file = join(dir, 'events.bin');
    const writeStarted = performance.now();
    await writeEventFile(file, events(TOTAL));
    const writeSeconds = (performance.now() - writeStarted) / 1000;
    const memory = sampler();
    let decoded = 0;
    const readStarted = performance.now();
    for await (const chunk of readEventFile(file)) {
      decoded += chunk.events.length;
      memory.count(decoded);
    }
    const readSeconds = (performance.now() - readStarted) / 1000;
    return {
      bytes: statSync(file).size,
      writeEventsPerSecond: Math.round(TOTAL / writeSeconds),
      readEventsPerSecond: Math.round(decoded / readSeconds),
      heapSpreadMB: spread(memory.samples, 'heapMB'),
      rssSpreadMB: spread(memory.samples, 'rssMB'),
      memory: memory.samples,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const result = { bench: 'finance-bytes codec', node: process.version, events: TOTAL, encodeDecodeInMemory: await inMemory(), file: await onDisk() };
console.log(JSON.stringify(result, null, 1));
