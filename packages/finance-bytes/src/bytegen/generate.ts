import {
  applyLogitBias,
  CategoricalSampler,
  InputError,
  resolveSampler,
  resolveSeed,
  throwIfAborted,
  type GenerateChunk,
  type ProgressListener,
  type Rng,
  type Sampler,
  type SamplerSpec,
  type tf,
} from '@nextx/core';
import { EVENT_BYTES } from '../codec/event-layout.js';
import { encodeEvents, isFieldProblem, readEvent } from '../codec/packed-codec.js';
import type { LobEvent } from '../events/lob-event.js';
import { BookReplay } from '../book/book-replay.js';
import type { ByteModel, DecodeState } from './byte-model.js';
import { EventConstraint, type ConstraintLevel } from './event-constraint.js';

export interface GenerateEventsOptions {
  /** Events to generate in each stream. */
  readonly eventsPerStream: number;
  /** Streams decoded side by side (the batch), each continuing the same history (default 8). */
  readonly streams?: number;
  /** The real history the streams continue: replayed to build each stream's book; its last events prompt the model. */
  readonly history: readonly LobEvent[];
  /** The model's window in bytes (a multiple of 32); decoding restarts from the last half window when it is full. */
  readonly windowBytes: number;
  readonly constraint?: ConstraintLevel;
  /** Sampling temperature (default 1); shorthand for a categorical `sampler`, not accepted with one. */
  readonly temperature?: number;
  /** Any categorical sampler (GenerateOptions.sampler): an instance or a registered `{ name, config }`. */
  readonly sampler?: Sampler | SamplerSpec;
  readonly seed?: number | Rng;
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
}

/** One generated record of one stream. */
export interface GeneratedRecord {
  readonly stream: number;
  readonly bytes: Uint8Array;
  /** The decoded event, or undefined when the record does not decode. */
  readonly event?: LobEvent;
  /** Why it does not decode (field and reason), or the replay rule it breaks. */
  readonly problem?: string;
  /** Decodes and replays without a violation on the stream's book. */
  readonly consistent: boolean;
}

/** What one generation step yields: the next record of every stream. */
export interface GeneratedEvents {
  readonly records: readonly GeneratedRecord[];
  /** The seed that repeats the run (undefined when an Rng was passed). */
  readonly seed: number | undefined;
}

/** Bias that removes a byte from the draw (finite, so that softmax stays defined). */

/**
 * Generates whole 32-byte events byte by byte with cached state (the model's SSM states and KV caches): `streams`
 * continuations of `history` decoded in one batch, one event per stream per yielded chunk. With a constraint, the
 * logits of bytes that would make an invalid (or, at level 'book', replay-inconsistent) event are masked before the
 * draw. Every record is decoded and replayed on its stream's own book; `consistent` says whether it passed.
 */
export async function* generateEvents(model: ByteModel, options: GenerateEventsOptions): AsyncGenerator<GenerateChunk<GeneratedEvents>> {
  const streams = options.streams ?? 8;
  const window = options.windowBytes;
  if (window % EVENT_BYTES !== 0) throw new InputError(`windowBytes ${window} is not a multiple of ${EVENT_BYTES}`);
  const keepEvents = Math.max(1, Math.floor(window / EVENT_BYTES / 2));
  if (options.history.length < keepEvents) throw new InputError(`the history has ${options.history.length} events; the prompt needs at least ${keepEvents}`);
  const { rng, seed } = resolveSeed(options.seed);
  if (options.sampler && options.temperature !== undefined) throw new InputError('give either temperature or a sampler, not both');
  const sampler = resolveSampler<tf.Tensor2D, ArrayLike<number>>(options.sampler, {
    kind: 'categorical',
    generator: 'finance-bytes/bytegen',
    fallback: () => new CategoricalSampler({ temperature: options.temperature ?? 1 }),
  });
  const level = options.constraint ?? 'none';
  const replays = Array.from({ length: streams }, () => {
    const replay = new BookReplay({ onViolation: 'record' });
    for (const e of options.history) replay.apply(e);
    return replay;
  });
  const prompt = encodeEvents(options.history.slice(-keepEvents));
  // Each stream's recent bytes (the context a window restart prefills with).
  const recent = Array.from({ length: streams }, () => Uint8Array.from(prompt));
  const prefill = (): DecodeState => {
    const ids = new Int32Array(streams * recent[0]!.length);
    recent.forEach((bytes, s) => ids.set(bytes, s * bytes.length));
    return model.prefill(ids, streams, recent[0]!.length);
  };
  let state = prefill();
  let inWindow = prompt.length;
  const wasTraining = model.module.training;
  model.module.eval();
  try {
    for (let index = 0; index < options.eventsPerStream; index++) {
      await new Promise((resolve) => setImmediate(resolve));
      throwIfAborted(options.signal);
      if (inWindow + EVENT_BYTES > window) {
        state.dispose();
        state = prefill();
        inWindow = recent[0]!.length;
      }
      const records = Array.from({ length: streams }, () => new Uint8Array(EVENT_BYTES));
      const constraints = replays.map((r) => new EventConstraint(level, r.book));
      for (let position = 0; position < EVENT_BYTES; position++) {
        const next = drawBytes(state.logits, level === 'none' ? undefined : records.map((bytes, s) => (constraints[s] as EventConstraint).allowed(bytes, position)), sampler, rng, index * EVENT_BYTES + position);
        next.forEach((b, s) => ((records[s] as Uint8Array)[position] = b));
        state = model.step(state, next);
      }
      inWindow += EVENT_BYTES;
      const out = records.map((bytes, s) => {
        recent[s] = Uint8Array.from([...(recent[s] as Uint8Array).subarray(EVENT_BYTES), ...bytes]);
        return judge(bytes, s, replays[s] as BookReplay);
      });
      options.onProgress?.({ stage: 'generate', completed: index + 1, total: options.eventsPerStream });
      yield { index, total: options.eventsPerStream, final: index + 1 === options.eventsPerStream, value: { records: out, seed } };
    }
  } finally {
    state.dispose();
    model.module.train(wasTraining);
  }
}

/** Draws one byte per stream, with the masked bytes removed (core's logit mask: a row left with no byte is an error). */
function drawBytes(logits: tf.Tensor2D, masks: Uint8Array[] | undefined, sampler: Sampler<tf.Tensor2D, ArrayLike<number>>, rng: Rng, step: number): Int32Array {
  const filtered = masks ? applyLogitBias(logits, concatMasks(masks)) : logits;
  try {
    return Int32Array.from(sampler.sample(filtered, { rng, step, numSteps: 0 }));
  } finally {
    if (filtered !== logits) filtered.dispose();
  }
}

/** One [streams, 256] mask (nonzero = allowed) from each stream's row. */
function concatMasks(masks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(masks.length * 256);
  masks.forEach((mask, s) => out.set(mask, s * 256));
  return out;
}

function judge(bytes: Uint8Array, stream: number, replay: BookReplay): GeneratedRecord {
  const decoded = readEvent(bytes, 0);
  if (isFieldProblem(decoded)) return { stream, bytes, problem: `field '${decoded.field}' ${decoded.reason}`, consistent: false };
  const violation = replay.apply(decoded);
  return violation ? { stream, bytes, event: decoded, problem: violation.rule, consistent: false } : { stream, bytes, event: decoded, consistent: true };
}

/** Runs a whole generation and collects every stream's records. */
export async function generateAll(model: ByteModel, options: GenerateEventsOptions): Promise<{ streams: GeneratedRecord[][]; seed: number | undefined; seconds: number }> {
  const streams: GeneratedRecord[][] = Array.from({ length: options.streams ?? 8 }, () => []);
  let seed: number | undefined;
  const started = performance.now();
  for await (const chunk of generateEvents(model, options)) {
    seed = chunk.value.seed;
    for (const r of chunk.value.records) streams[r.stream]?.push(r);
  }
  return { streams, seed, seconds: (performance.now() - started) / 1000 };
}
