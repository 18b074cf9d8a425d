import { join } from 'node:path';
import type { z } from 'zod';
import type { tokenizerSpecSchema } from '../ar/config.js';
import { BpeTokenizer } from '../tokenizers/bpe-tokenizer.js';
import { ByteTokenizer } from '../tokenizers/byte-tokenizer.js';
import type { TextTokenizer } from '../tokenizers/text-tokenizer.js';

export type TokenizerSpecJson = z.infer<typeof tokenizerSpecSchema>;

/** The checkpoint file name of a BPE tokenizer. */
export const TOKENIZER_FILE = 'tokenizer.json';

/** What a checkpoint's config.json says about its tokenizer: bytes, or the tokenizer.json saved beside it. */
export function tokenizerSpecOf(tokenizer: TextTokenizer): TokenizerSpecJson {
  return tokenizer instanceof BpeTokenizer ? { kind: 'bpe', file: TOKENIZER_FILE } : { kind: 'bytes' };
}

/** The JSON files a checkpoint holds for its tokenizer (`tokenizer.json` for BPE, none for bytes). */
export function tokenizerFiles(tokenizer: TextTokenizer): Record<string, unknown> {
  return tokenizer instanceof BpeTokenizer ? { [TOKENIZER_FILE.replace('.json', '')]: tokenizer.json } : {};
}

/** The tokenizer of a checkpoint directory. */
export function loadCheckpointTokenizer(dir: string, spec: TokenizerSpecJson): TextTokenizer {
  return spec.kind === 'bytes' ? new ByteTokenizer() : BpeTokenizer.fromFile(join(dir, spec.file));
}
