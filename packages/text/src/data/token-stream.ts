import { InputError, SeededBatchSource, type Rng } from '@nextx/core';
import type { TextTokenizer } from '../tokenizers/text-tokenizer.js';
import type { TextDocument } from './corpus.js';

/** Documents encoded and joined by the tokenizer's separator id into one training stream. */
export function encodeDocuments(docs: readonly TextDocument[], tokenizer: TextTokenizer): Int32Array {
  const parts = docs.map((doc) => tokenizer.encodeBytes(doc.bytes, doc.name));
  const total = parts.reduce((n, p) => n + p.length + 1, 0);
  const out = new Int32Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
    out[at++] = tokenizer.separatorId;
  }
  return out;
}

/** B windows of T + 1 consecutive ids (inputs t … t+T−1, the next ids as targets): row-major [B, T + 1]. */
export interface TokenWindows {
  readonly ids: Int32Array;
  readonly batchSize: number;
  /** T + 1. */
  readonly width: number;
}

/** Seeded random windows of a token stream (restorable from its Rng state, so training resumes exactly). */
export class TokenWindowSampler extends SeededBatchSource<TokenWindows> {
  constructor(
    private readonly stream: Int32Array,
    readonly batchSize: number,
    /** Ids per window (T + 1 for next-token training, T for a diffusion sequence). */
    readonly width: number,
    seed: number,
  ) {
    super(seed);
    if (stream.length < width) throw new InputError(`the training stream has ${stream.length} tokens; windows of ${width} need at least that many`);
  }

  protected draw(rng: Rng): TokenWindows {
    return drawWindows(this.stream, this.batchSize, this.width, rng);
  }
}

/** B windows of `width` ids at uniform random starts of the stream. */
export function drawWindows(stream: Int32Array, batchSize: number, width: number, rng: Rng): TokenWindows {
  if (stream.length < width) throw new InputError(`the token stream has ${stream.length} tokens; windows of ${width} need at least that many`);
  const ids = new Int32Array(batchSize * width);
  const last = stream.length - width;
  for (let b = 0; b < batchSize; b++) {
    const start = rng.int(0, last);
    ids.set(stream.subarray(start, start + width), b * width);
  }
  return { ids, batchSize, width };
}

/** Non-overlapping windows of a stream in order (evaluation: every held-out token counted once). */
export function consecutiveWindows(stream: Int32Array, width: number, maxWindows = Infinity): Int32Array[] {
  const out: Int32Array[] = [];
  for (let start = 0; start + width <= stream.length && out.length < maxWindows; start += width) out.push(stream.subarray(start, start + width));
  return out;
}
