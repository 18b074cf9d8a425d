import { TextTokenizer, type TokenizerSpec } from './text-tokenizer.js';

/** Raw UTF-8 bytes as tokens: V = 256, 8 bits per token. Any file is a byte stream; documents are joined by "\n". */
export class ByteTokenizer extends TextTokenizer {
  readonly name = 'bytes';
  readonly vocabSize = 256;
  readonly separatorId = 10;
  readonly spec: TokenizerSpec = { kind: 'bytes' };
  private readonly encoder = new TextEncoder();

  encodeText(text: string): Int32Array {
    return Int32Array.from(this.encoder.encode(text));
  }

  encodeBytes(bytes: Uint8Array): Int32Array {
    return Int32Array.from(bytes);
  }

  /** Bytes → text; invalid UTF-8 (a model can write any byte) becomes U+FFFD, as a text viewer shows it. */
  decodeIds(ids: ArrayLike<number>): string {
    this.checkIds(ids);
    return new TextDecoder('utf-8').decode(Uint8Array.from(ids));
  }
}
