import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, writeFileAtomic } from '@nextx/core';
import { loadCorpus, splitByDocument, type TextDocument } from '../data/corpus.js';
import { encodeDocuments } from '../data/token-stream.js';
import { BpeTokenizer } from '../tokenizers/bpe-tokenizer.js';
import { ByteTokenizer } from '../tokenizers/byte-tokenizer.js';
import type { TextTokenizer } from '../tokenizers/text-tokenizer.js';
import { trainBpe } from '../tokenizers/train-bpe.js';

export interface TextData {
  readonly tokenizer: TextTokenizer;
  readonly train: readonly TextDocument[];
  readonly heldOut: readonly TextDocument[];
  readonly trainStream: Int32Array;
  readonly heldOutStream: Int32Array;
}

/**
 * A tokenizer from a spec: `bytes`, `bpe:<vocab>` (trained here on the training documents), or a tokenizer.json file
 * (a user's, e.g. GPT-2's, or one a previous run saved).
 */
export function tokenizerFromSpec(spec: string, train: readonly TextDocument[], log: (message: string) => void): TextTokenizer {
  if (spec === 'bytes') return new ByteTokenizer();
  const match = /^bpe:(\d+)$/.exec(spec);
  if (match) {
    const vocab = Number(match[1]);
    const started = performance.now();
    const decoder = new TextDecoder('utf-8');
    const json = trainBpe(
      train.map((d) => decoder.decode(d.bytes)),
      { vocabSize: vocab },
    );
    log(`trained a byte-level BPE of ${vocab} ids on ${train.length} documents in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return new BpeTokenizer(json, 'tokenizer.json');
  }
  if (existsSync(spec)) return BpeTokenizer.fromFile(spec);
  throw new InputError(`--tokenizer must be 'bytes', 'bpe:<vocab size>' or a tokenizer.json file; got '${spec}'`);
}

/** Encoded streams are cached by content (tokenizer, documents) in the temp directory: encoding SOTU takes seconds. */
function cachedStream(docs: readonly TextDocument[], tokenizer: TextTokenizer, key: string): Int32Array {
  const hash = createHash('sha256').update(key);
  hash.update(JSON.stringify(tokenizer instanceof BpeTokenizer ? tokenizer.json : 'bytes'));
  for (const doc of docs) hash.update(doc.name).update(doc.bytes);
  const dir = join(tmpdir(), 'nextx-text-cache');
  const file = join(dir, `${hash.digest('hex').slice(0, 32)}.i32`);
  if (existsSync(file)) {
    const bytes = readFileSync(file);
    return new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }
  const stream = encodeDocuments(docs, tokenizer);
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(file, new Uint8Array(stream.buffer, stream.byteOffset, stream.byteLength));
  return stream;
}

/** Corpus → document split → tokenizer → the train and held-out streams. */
export function prepareTextData(options: { readonly data: readonly string[]; readonly tokenizer: string | TextTokenizer; readonly heldOut?: number; readonly log: (message: string) => void }): TextData {
  const docs = loadCorpus(options.data);
  const { train, heldOut } = splitByDocument(docs, { fraction: options.heldOut ?? 0.05 });
  const tokenizer = typeof options.tokenizer === 'string' ? tokenizerFromSpec(options.tokenizer, train, options.log) : options.tokenizer;
  const trainStream = cachedStream(train, tokenizer, 'train');
  const heldOutStream = cachedStream(heldOut, tokenizer, 'held-out');
  options.log(`${options.data.join(', ')}: ${train.length} training documents (${trainStream.length} tokens), ${heldOut.length} held out (${heldOutStream.length} tokens); ${tokenizer.vocabSize} ids, ${tokenizer.bitsPerToken} bits per token`);
  return { tokenizer, train, heldOut, trainStream, heldOutStream };
}
