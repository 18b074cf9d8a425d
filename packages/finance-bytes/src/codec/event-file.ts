import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { LobEvent } from '../events/lob-event.js';
import { streamToFileAtomic } from '../io/atomic-stream.js';
import { EventDecoder, EventEncoder, type EventChunk, type EventDecoderOptions } from './event-streams.js';

export type EventSource = Iterable<LobEvent | readonly LobEvent[]> | AsyncIterable<LobEvent | readonly LobEvent[]>;

/**
 * Streams events into a packed `.bin` file atomically (a temporary sibling, renamed into place when complete), in
 * constant memory. Returns the number of events written.
 */
export async function writeEventFile(path: string, events: EventSource): Promise<number> {
  const encoder = new EventEncoder();
  await streamToFileAtomic(path, events, [encoder]);
  return encoder.count;
}

/** Reads a packed `.bin` file as a stream of EventChunks (constant memory). */
export async function* readEventFile(path: string, options: Omit<EventDecoderOptions, 'source'> = {}): AsyncGenerator<EventChunk> {
  const decoder = new EventDecoder({ ...options, source: path });
  const done = pipeline(createReadStream(path, { highWaterMark: 1 << 17 }), decoder).catch((error: unknown) => {
    decoder.destroy(error as Error);
  });
  try {
    for await (const chunk of decoder) yield chunk as EventChunk;
  } finally {
    await done;
  }
}

/** All events of a packed file in memory (for small files and tests). */
export async function readAllEvents(path: string): Promise<LobEvent[]> {
  const out: LobEvent[] = [];
  for await (const chunk of readEventFile(path)) for (const event of chunk.events) out.push(event);
  return out;
}
