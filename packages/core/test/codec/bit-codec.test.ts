import { describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { BitCodec, bitsForVocabulary, grayDecode, grayEncode } from '../../src/codec/bit-codec.js';
import { initBackend } from '../../src/backend/index.js';

describe('BitCodec', () => {
  it('needs ⌈log₂ V⌉ bits: 256 → 8, 257 → 9, GPT-2 50,257 → 16, 65,536 → 16, 1 → 1', () => {
    expect([256, 257, 50_257, 65_536, 1, 2, 3].map(bitsForVocabulary)).toEqual([8, 9, 16, 16, 1, 1, 2]);
  });

  it('writes ids MSB first and wraps unused patterns modulo V', () => {
    const codec = new BitCodec({ vocabSize: 5, width: 3 });
    expect(Array.from(codec.encodeIds([0, 1, 4, 3]))).toEqual([0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1]);
    // Patterns 5, 6, 7 name no id: 5 mod 5 = 0, 6 → 1, 7 → 2.
    expect(Array.from(codec.decodeBits([1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1]))).toEqual([0, 1, 2, 3]);
    expect(Array.from(new BitCodec({ vocabSize: 5, width: 3, wrap: 'none' }).decodeBits([1, 1, 1]))).toEqual([7]);
    // Probabilities decode by > 0.5.
    expect(Array.from(codec.decodeBits([0.2, 0.51, 0.9]))).toEqual([3]);
  });

  it('gray code: ranks one apart differ in one bit; inverse and unknown ranks', () => {
    for (let r = 0; r < 1000; r++) {
      expect(grayDecode(grayEncode(r))).toBe(r);
      const diff = grayEncode(r) ^ grayEncode(r + 1);
      expect(diff & (diff - 1)).toBe(0);
    }
    const codec = new BitCodec({ vocabSize: 3, width: 2, code: 'gray', ranks: [2, 0, 1], unknownId: 1 });
    // id 0 has rank 2 → gray 3 = 11; id 1 rank 0 → 00; id 2 rank 1 → 01.
    expect(Array.from(codec.encodeIds([0, 1, 2]))).toEqual([1, 1, 0, 0, 0, 1]);
    // pattern 10 = gray 2 → rank 3 ≥ V → the unknown id.
    expect(Array.from(codec.decodeBits([1, 1, 0, 0, 0, 1, 1, 0]))).toEqual([0, 1, 2, 1]);
  });

  it('refuses ids out of range and vocabularies that do not fit, naming them', () => {
    const codec = new BitCodec({ vocabSize: 300, width: 9 });
    expect(() => codec.encodeIds([3, 300])).toThrow(/token 1: id 300 is outside the vocabulary \[0, 300\)/);
    expect(() => new BitCodec({ vocabSize: 600, width: 9 })).toThrow(/needs 10 bits per token/);
    expect(() => codec.decodeBits([1, 0, 1])).toThrow(/not a whole number of 9-bit tokens/);
    expect(() => new BitCodec({ vocabSize: 3, code: 'gray', ranks: [0, 0, 1] })).toThrow(/permutation/);
  });

  it('encodes and decodes tensors [B, T] ↔ [B, T·b]', async () => {
    await initBackend({ prefer: 'cpu' });
    const codec = new BitCodec({ vocabSize: 16 });
    const bits = codec.encode(tf.tensor2d([[1, 15], [8, 0]], [2, 2], 'int32'));
    expect(bits.shape).toEqual([2, 8]);
    expect(Array.from(bits.dataSync())).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    const ids = codec.decode(bits);
    expect(ids.shape).toEqual([2, 2]);
    expect(Array.from(ids.dataSync())).toEqual([1, 15, 8, 0]);
    tf.dispose([bits, ids]);
  });
});
