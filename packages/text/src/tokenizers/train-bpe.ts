import { InputError } from '@nextx/core';
import { GPT2_SPLIT, byteToUnicode } from './byte-level.js';

export const END_OF_TEXT = '<|endoftext|>';

export interface TrainBpeOptions {
  /** Vocabulary size including the 256 byte tokens and the end-of-text token. */
  readonly vocabSize: number;
  /** A pair must occur this often to be merged (default 2). */
  readonly minFrequency?: number;
  readonly onProgress?: (merges: number, total: number) => void;
}

/** A trained byte-level BPE as a Hugging Face tokenizer.json object (loadable by @huggingface/tokenizers and HF tokenizers). */
export interface TokenizerJson {
  readonly version: string;
  readonly model: { readonly type: 'BPE'; readonly vocab: Record<string, number>; readonly merges: string[] } & Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** A max-heap of (count, pair) entries whose stale entries are skipped when popped (lazy deletion). */
class PairHeap {
  private readonly counts: number[] = [];
  private readonly keys: number[] = [];

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.counts.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): { count: number; key: number } | undefined {
    if (!this.counts.length) return undefined;
    const top = { count: this.counts[0] as number, key: this.keys[0] as number };
    const lastCount = this.counts.pop() as number;
    const lastKey = this.keys.pop() as number;
    if (this.counts.length) {
      this.counts[0] = lastCount;
      this.keys[0] = lastKey;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < this.counts.length && this.before(l, best)) best = l;
        if (r < this.counts.length && this.before(r, best)) best = r;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top;
  }

  /** Higher count first; equal counts: the smaller pair key (a deterministic tie-break). */
  private before(i: number, j: number): boolean {
    const ci = this.counts[i] as number;
    const cj = this.counts[j] as number;
    return ci > cj || (ci === cj && (this.keys[i] as number) < (this.keys[j] as number));
  }

  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j] as number, this.counts[i] as number];
    [this.keys[i], this.keys[j]] = [this.keys[j] as number, this.keys[i] as number];
  }
}

const PAIR = 1 << 20;
const pairKey = (a: number, b: number) => a * PAIR + b;

/**
 * Trains a byte-level BPE (GPT-2's scheme: the same pre-tokenizer split and byte alphabet) on texts, merging the most
 * frequent adjacent pair until the vocabulary is full, and returns it as a tokenizer.json with `<|endoftext|>` as the
 * last id. Words are counted once per distinct pre-token, and pair counts are updated incrementally per merge.
 */
export function trainBpe(texts: Iterable<string>, options: TrainBpeOptions): TokenizerJson {
  const { vocabSize, minFrequency = 2 } = options;
  if (!Number.isInteger(vocabSize) || vocabSize < 257 || vocabSize > PAIR) throw new InputError(`a byte-level BPE vocabulary holds 257 … ${PAIR} ids (256 bytes and the end-of-text token); got ${vocabSize}`);
  const encoder = new TextEncoder();
  const frequencies = new Map<string, number>();
  for (const text of texts) {
    for (const match of text.matchAll(GPT2_SPLIT)) frequencies.set(match[0], (frequencies.get(match[0]) ?? 0) + 1);
  }
  const words: number[][] = [];
  const counts: number[] = [];
  for (const [word, count] of frequencies) {
    words.push(Array.from(encoder.encode(word)));
    counts.push(count);
  }
  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const add = (a: number, b: number, w: number, delta: number) => {
    const key = pairKey(a, b);
    pairCounts.set(key, (pairCounts.get(key) ?? 0) + delta);
    if (delta > 0) {
      let set = pairWords.get(key);
      if (!set) pairWords.set(key, (set = new Set()));
      set.add(w);
    }
  };
  words.forEach((symbols, w) => {
    for (let i = 0; i + 1 < symbols.length; i++) add(symbols[i] as number, symbols[i + 1] as number, w, counts[w] as number);
  });
  const heap = new PairHeap();
  for (const [key, count] of pairCounts) heap.push(count, key);
  const alphabet = byteToUnicode();
  const tokenText: string[] = alphabet.slice();
  const merges: string[] = [];
  const target = vocabSize - 257;
  while (merges.length < target) {
    const top = heap.pop();
    if (!top) break;
    const current = pairCounts.get(top.key) ?? 0;
    if (current !== top.count) {
      if (current > 0) heap.push(current, top.key);
      continue;
    }
    if (current < minFrequency) break;
    const a = Math.floor(top.key / PAIR);
    const b = top.key % PAIR;
    const merged = tokenText.length;
    tokenText.push((tokenText[a] as string) + (tokenText[b] as string));
    merges.push(`${tokenText[a]} ${tokenText[b]}`);
    const touched = new Set<number>();
    for (const w of pairWords.get(top.key) ?? []) {
      const symbols = words[w] as number[];
      const count = counts[w] as number;
      const out: number[] = [];
      for (let i = 0; i < symbols.length; i++) {
        if (i + 1 < symbols.length && symbols[i] === a && symbols[i + 1] === b) {
          out.push(merged);
          i++;
        } else out.push(symbols[i] as number);
      }
      for (let i = 0; i + 1 < symbols.length; i++) {
        add(symbols[i] as number, symbols[i + 1] as number, w, -count);
        touched.add(pairKey(symbols[i] as number, symbols[i + 1] as number));
      }
      for (let i = 0; i + 1 < out.length; i++) {
        add(out[i] as number, out[i + 1] as number, w, count);
        touched.add(pairKey(out[i] as number, out[i + 1] as number));
      }
      words[w] = out;
    }
    pairCounts.delete(top.key);
    pairWords.delete(top.key);
    for (const key of touched) {
      const count = pairCounts.get(key) ?? 0;
      if (count > 0) heap.push(count, key);
    }
    options.onProgress?.(merges.length, target);
  }
  const vocab: Record<string, number> = {};
  tokenText.forEach((text, id) => (vocab[text] = id));
  const eot = tokenText.length;
  vocab[END_OF_TEXT] = eot;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [{ id: eot, content: END_OF_TEXT, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges },
  };
}
