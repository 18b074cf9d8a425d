import { tf } from '../tf.js';
import { InputError } from '../errors.js';

/**
 * Fixed-width binary codes of token ids, MSB first: token t of a sequence owns bits t·b … t·b+b−1, and
 * bit k of id v is (v >> (b−1−k)) & 1. This is the bit layer of bitstream-diffusion language models (CoBit's
 * `raw_binary`, BitLM) and of any model that writes categorical data as bits.
 *
 * - `binary`: the plain code of the id. Decoding gives v = Σ bit[k]·2^(b−1−k); the 2^b − V patterns that name no id
 *   either wrap around (`wrap: 'modulo'`, id = v mod V, what CoBit's evaluation does) or are returned as they are
 *   (`wrap: 'none'`, the caller checks them).
 * - `gray`: each id is first mapped to a rank (e.g. a semantic ordering in which neighbours are similar tokens), and
 *   the rank is written as its reflected Gray code g = r ^ (r >> 1), so ranks one apart differ in one bit. Decoding
 *   inverts the Gray code and the rank map; a rank no id has (≥ V) decodes to `unknownId`.
 */
export type BitCode = 'binary' | 'gray';

export interface BitCodecOptions {
  /** Ids are in [0, vocabSize). */
  readonly vocabSize: number;
  /** Bits per token; default ⌈log₂ V⌉ (at least 1). */
  readonly width?: number;
  readonly code?: BitCode;
  /** `binary` only: what a pattern ≥ V decodes to (default 'modulo'). */
  readonly wrap?: 'modulo' | 'none';
  /** `gray` only: rank of each id (a permutation of 0 … V−1). */
  readonly ranks?: ArrayLike<number>;
  /** `gray` only: the id a pattern whose rank is ≥ V decodes to. */
  readonly unknownId?: number;
}

/** Bits needed to write every id of a vocabulary: ⌈log₂ V⌉, at least 1. */
export function bitsForVocabulary(vocabSize: number): number {
  if (!Number.isInteger(vocabSize) || vocabSize < 1) throw new InputError(`a vocabulary size must be a positive integer; got ${vocabSize}`);
  let width = 1;
  while (2 ** width < vocabSize) width++;
  return width;
}

/** Reflected binary Gray code of a non-negative integer. */
export function grayEncode(value: number): number {
  return (value ^ (value >>> 1)) >>> 0;
}

/** Inverse of grayEncode for values below 2³²: prefix XOR by halving shifts. */
export function grayDecode(gray: number): number {
  let value = gray >>> 0;
  for (let shift = 1; shift < 32; shift *= 2) value = (value ^ (value >>> shift)) >>> 0;
  return value;
}

export class BitCodec {
  readonly vocabSize: number;
  readonly width: number;
  readonly code: BitCode;
  readonly wrap: 'modulo' | 'none';
  readonly unknownId: number;
  /** Pattern value of each id (its binary code as an integer): the id itself, or gray(rank(id)). */
  private readonly patternOf: Int32Array;
  /** `gray`: id of each rank. */
  private readonly idOfRank: Int32Array | undefined;

  constructor(options: BitCodecOptions) {
    const { vocabSize } = options;
    this.vocabSize = vocabSize;
    this.width = options.width ?? bitsForVocabulary(vocabSize);
    this.code = options.code ?? 'binary';
    this.wrap = options.wrap ?? 'modulo';
    if (!Number.isInteger(this.width) || this.width < 1 || this.width > 30) {
      throw new InputError(`bits per token must be an integer in [1, 30]; got ${this.width}`);
    }
    if (vocabSize > 2 ** this.width) {
      throw new InputError(`a vocabulary of ${vocabSize} ids needs ${bitsForVocabulary(vocabSize)} bits per token; got ${this.width} (2^${this.width} = ${2 ** this.width} patterns)`);
    }
    this.unknownId = options.unknownId ?? 0;
    this.patternOf = new Int32Array(vocabSize);
    if (this.code === 'binary') {
      for (let id = 0; id < vocabSize; id++) this.patternOf[id] = id;
      return;
    }
    const ranks = options.ranks;
    if (!ranks || ranks.length !== vocabSize) throw new InputError(`a gray code needs a rank for each of the ${vocabSize} ids; got ${ranks?.length ?? 0}`);
    if (!(this.unknownId >= 0 && this.unknownId < vocabSize)) throw new InputError(`unknownId ${this.unknownId} is not an id of the vocabulary (0 … ${vocabSize - 1})`);
    this.idOfRank = new Int32Array(vocabSize).fill(-1);
    for (let id = 0; id < vocabSize; id++) {
      const rank = ranks[id] as number;
      if (!Number.isInteger(rank) || rank < 0 || rank >= vocabSize || this.idOfRank[rank] !== -1) {
        throw new InputError(`ranks must be a permutation of 0 … ${vocabSize - 1}; id ${id} has rank ${rank}`);
      }
      this.idOfRank[rank] = id;
      this.patternOf[id] = grayEncode(rank);
    }
  }

  /** The id a b-bit pattern (as an integer) decodes to. */
  idOfPattern(pattern: number): number {
    if (this.code === 'gray') {
      const rank = grayDecode(pattern);
      return rank < this.vocabSize ? (this.idOfRank as Int32Array)[rank] as number : this.unknownId;
    }
    return this.wrap === 'modulo' ? pattern % this.vocabSize : pattern;
  }

  /** Ids (host) → bits, width per id, MSB first. Every id is checked first: an integer in [0, V). */
  encodeIds(ids: ArrayLike<number>): Uint8Array {
    const b = this.width;
    const out = new Uint8Array(ids.length * b);
    for (let t = 0; t < ids.length; t++) {
      const id = ids[t] as number;
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new InputError(`token ${t}: id ${id} is outside the vocabulary [0, ${this.vocabSize})`);
      }
      const pattern = this.patternOf[id] as number;
      for (let k = 0; k < b; k++) out[t * b + k] = (pattern >>> (b - 1 - k)) & 1;
    }
    return out;
  }

  /** Bits (host; a value > 0.5 is a 1, so probabilities decode too) → ids. The length must be a multiple of width. */
  decodeBits(bits: ArrayLike<number>): Int32Array {
    const b = this.width;
    if (bits.length % b !== 0) throw new InputError(`${bits.length} bits are not a whole number of ${b}-bit tokens`);
    const out = new Int32Array(bits.length / b);
    for (let t = 0; t < out.length; t++) {
      let pattern = 0;
      for (let k = 0; k < b; k++) pattern = pattern * 2 + ((bits[t * b + k] as number) > 0.5 ? 1 : 0);
      out[t] = this.idOfPattern(pattern);
    }
    return out;
  }

  /** Ids [..., T] → float32 bits [..., T·b] (0/1). Ids are read to the host (they are few), checked and encoded there. */
  encode(ids: tf.Tensor): tf.Tensor {
    const host = ids.dataSync();
    const bits = this.encodeIds(host);
    const shape = [...ids.shape.slice(0, -1), (ids.shape[ids.rank - 1] ?? 1) * this.width];
    return tf.tensor(Float32Array.from(bits), shape, 'float32');
  }

  /** Bits or P(bit = 1) [..., T·b] → int32 ids [..., T] (a value > 0.5 is a 1). */
  decode(bits: tf.Tensor): tf.Tensor {
    const last = bits.shape[bits.rank - 1] ?? 0;
    if (last % this.width !== 0) throw new InputError(`the last axis holds ${last} bits, not a multiple of ${this.width}`);
    const ids = this.decodeBits(bits.dataSync());
    return tf.tensor(ids, [...bits.shape.slice(0, -1), last / this.width], 'int32');
  }
}
