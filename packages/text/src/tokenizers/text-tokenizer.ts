import { InputError, bitsForVocabulary, tf, type TokenBatch, type Tokenizer } from '@nextx/core';

/** What a text model saves about its tokenizer (in its checkpoint's config.json). */
export type TokenizerSpec = { readonly kind: 'bytes' } | { readonly kind: 'bpe'; readonly file: string };

/**
 * A text tokenizer as the text models use it: host ids in [0, vocabSize), a separator id that joins documents in a
 * training stream, and the core Tokenizer contract (a categorical token space).
 */
export abstract class TextTokenizer implements Tokenizer<string> {
  abstract readonly name: string;
  abstract readonly vocabSize: number;
  /** The id placed between documents of a training stream. */
  abstract readonly separatorId: number;
  abstract readonly spec: TokenizerSpec;

  /** Ids of a text (no special tokens added). */
  abstract encodeText(text: string, source?: string): Int32Array;
  /** Ids of a file's bytes; a tokenizer that needs text checks the UTF-8 and names the file and byte offset of a bad sequence. */
  abstract encodeBytes(bytes: Uint8Array, source: string): Int32Array;
  /** Text of ids; every id must be in [0, vocabSize), else the error names its position. */
  abstract decodeIds(ids: ArrayLike<number>): string;

  /** ⌈log₂ V⌉: the bits per token of a bit model over this vocabulary (GPT-2's 50,257 ids → 16). */
  get bitsPerToken(): number {
    return bitsForVocabulary(this.vocabSize);
  }

  get space(): { kind: 'categorical'; size: number } {
    return { kind: 'categorical', size: this.vocabSize };
  }

  encode(input: string): TokenBatch {
    const ids = this.encodeText(input);
    return { space: this.space, tensors: [tf.tensor2d(ids, [1, ids.length], 'int32')] };
  }

  decode(tokens: TokenBatch): string {
    const tensor = tokens.tensors[0];
    if (!tensor) throw new InputError('decode: the token batch holds no tensor');
    return this.decodeIds(tensor.dataSync());
  }

  /** Checks ids before decoding: integers in [0, V). */
  protected checkIds(ids: ArrayLike<number>): void {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) throw new InputError(`${this.name}: id ${id} at position ${i} is outside the vocabulary [0, ${this.vocabSize})`);
    }
  }

  dispose(): void {}
}

/** The byte offset of the first invalid UTF-8 sequence (RFC 3629: no overlongs, surrogates or code points above U+10FFFF); undefined when valid. */
export function invalidUtf8Offset(bytes: Uint8Array): number | undefined {
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i] as number;
    if (b0 < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min1 = 0x80;
    let max1 = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) need = 1;
    else if (b0 >= 0xe0 && b0 <= 0xef) {
      need = 2;
      if (b0 === 0xe0) min1 = 0xa0;
      if (b0 === 0xed) max1 = 0x9f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      need = 3;
      if (b0 === 0xf0) min1 = 0x90;
      if (b0 === 0xf4) max1 = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const bk = bytes[i + k];
      if (bk === undefined || bk < (k === 1 ? min1 : 0x80) || bk > (k === 1 ? max1 : 0xbf)) return i;
    }
    i += need + 1;
  }
  return undefined;
}

/** Decodes UTF-8 strictly; an invalid sequence is an InputError naming the source and the byte offset. */
export function decodeUtf8Strict(bytes: Uint8Array, source: string): string {
  const offset = invalidUtf8Offset(bytes);
  if (offset !== undefined) {
    throw new InputError(`${source}: invalid UTF-8 at byte ${offset} (0x${(bytes[offset] as number).toString(16).padStart(2, '0')}); a BPE tokenizer reads text — fix the file or use the byte tokenizer`);
  }
  return new TextDecoder('utf-8').decode(bytes);
}
