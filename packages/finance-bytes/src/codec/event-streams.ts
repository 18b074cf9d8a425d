import { Transform, type TransformCallback } from 'node:stream';
import type { LobEvent } from '../events/lob-event.js';
import { EVENT_BYTES } from './event-layout.js';
import { EventFieldError, type InvalidRecord } from './event-field-error.js';
import { decodeEvents, encodeEventsInto, type OnInvalid } from './packed-codec.js';

/** Events per output buffer of the encoder (128 KiB). */
const DEFAULT_BATCH_EVENTS = 4096;

export interface EventEncoderOptions {
  /** Events per Buffer pushed downstream (default 4096). */
  readonly batchEvents?: number;
}

/**
 * A Transform from events (objects, or arrays of them) to packed bytes. Memory stays bounded by one output batch:
 * it pushes a Buffer every `batchEvents` events and honours backpressure. A bad event fails the stream with an
 * EventFieldError naming its record number in the stream.
 */
export class EventEncoder extends Transform {
  private readonly batchEvents: number;
  private batch: Buffer;
  private filled = 0;
  private records = 0;

  constructor(options: EventEncoderOptions = {}) {
    super({ writableObjectMode: true, readableObjectMode: false });
    this.batchEvents = options.batchEvents ?? DEFAULT_BATCH_EVENTS;
    this.batch = Buffer.allocUnsafe(this.batchEvents * EVENT_BYTES);
  }

  /** Records encoded so far. */
  get count(): number {
    return this.records;
  }

  override _transform(chunk: LobEvent | readonly LobEvent[], _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      const events = Array.isArray(chunk) ? (chunk as readonly LobEvent[]) : [chunk as LobEvent];
      let index = 0;
      while (index < events.length) {
        const take = Math.min(events.length - index, this.batchEvents - this.filled);
        encodeEventsInto(events.slice(index, index + take), this.batch, this.filled, this.records);
        this.filled += take;
        this.records += take;
        index += take;
        if (this.filled === this.batchEvents) this.flushBatch();
      }
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.filled > 0) this.flushBatch();
    callback();
  }

  private flushBatch(): void {
    this.push(this.filled === this.batchEvents ? this.batch : this.batch.subarray(0, this.filled * EVENT_BYTES));
    this.batch = Buffer.allocUnsafe(this.batchEvents * EVENT_BYTES);
    this.filled = 0;
  }
}

/** What the decoder emits per input chunk. */
export interface EventChunk {
  /** Record number of the first record this chunk covers. */
  readonly firstRecord: number;
  readonly events: LobEvent[];
  /** Records that did not decode ('flag' mode). */
  readonly invalid: InvalidRecord[];
}

export interface EventDecoderOptions {
  /** 'throw' (default): the stream fails at the first bad record; 'flag': bad records are listed in `invalid`. */
  readonly onInvalid?: OnInvalid;
  /** Names the source in errors. */
  readonly source?: string;
}

/**
 * A Transform from packed bytes (any chunking) to EventChunks. Records that straddle input chunks are reassembled;
 * input that ends inside a record fails the stream with an error naming that record and how many bytes it had.
 */
export class EventDecoder extends Transform {
  private readonly onInvalid: OnInvalid;
  private readonly source: string | undefined;
  private pending: Buffer = Buffer.alloc(0);
  private records = 0;

  constructor(options: EventDecoderOptions = {}) {
    super({ writableObjectMode: false, readableObjectMode: true });
    this.onInvalid = options.onInvalid ?? 'throw';
    this.source = options.source;
  }

  /** Records decoded or flagged so far. */
  get count(): number {
    return this.records;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      let bytes = chunk;
      if (this.pending.length > 0) {
        // Complete the straddling record, then decode the aligned rest in place.
        const need = EVENT_BYTES - this.pending.length;
        if (chunk.length < need) {
          this.pending = Buffer.concat([this.pending, chunk]);
          callback();
          return;
        }
        this.emitRecords(Buffer.concat([this.pending, chunk.subarray(0, need)]));
        bytes = chunk.subarray(need);
      }
      const whole = bytes.length - (bytes.length % EVENT_BYTES);
      if (whole > 0) this.emitRecords(bytes.subarray(0, whole));
      this.pending = Buffer.from(bytes.subarray(whole));
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.pending.length === 0) {
      callback();
      return;
    }
    const have = this.pending.length;
    callback(new EventFieldError(this.records, { field: 'record', value: have, reason: `is cut short: the input ends after ${have} of ${EVENT_BYTES} bytes` }, this.source));
  }

  private emitRecords(bytes: Uint8Array): void {
    const firstRecord = this.records;
    const { events, invalid } = decodeEvents(bytes, { onInvalid: this.onInvalid, firstRecord, ...(this.source ? { source: this.source } : {}) });
    this.records += bytes.length / EVENT_BYTES;
    this.push({ firstRecord, events, invalid } satisfies EventChunk);
  }
}
