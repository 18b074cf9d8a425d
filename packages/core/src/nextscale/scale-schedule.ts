import type { tf } from '../tf.js';
import { InputError } from '../errors.js';
import { blockCausalMask, groupIdsFromSizes } from '../nn/attention-mask.js';

/**
 * The token layout of a next-scale sequence: scale k holds `sizes[k]` tokens at positions [begin_k, end_k), every
 * scale after the previous one (VAR: pn² tokens per scale; next-acceleration-scale MRI: one token grid per level).
 */
export class ScaleSchedule {
  readonly sizes: readonly number[];
  /** [begin, end) of each scale. */
  readonly beginEnds: readonly (readonly [number, number])[];
  /** Tokens of all scales, L. */
  readonly length: number;
  /** The scale of every position (VAR's lvl_1L). */
  readonly groupIds: readonly number[];

  constructor(sizes: readonly number[]) {
    if (!sizes.length || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new InputError(`a scale schedule needs positive integer sizes; got [${sizes.join(', ')}]`);
    }
    this.sizes = [...sizes];
    let begin = 0;
    this.beginEnds = sizes.map((s) => {
      const range = [begin, begin + s] as const;
      begin += s;
      return range;
    });
    this.length = begin;
    this.groupIds = groupIdsFromSizes(sizes);
  }

  get numScales(): number {
    return this.sizes.length;
  }

  /** Position just past scale k (the sequence length once k is done). */
  end(k: number): number {
    return (this.beginEnds[k] as readonly [number, number])[1];
  }

  begin(k: number): number {
    return (this.beginEnds[k] as readonly [number, number])[0];
  }

  /**
   * The additive block-causal mask [Lq, Lk] of queries at positions [queryStart, keyLength) over keys [0, keyLength):
   * a token sees its own scale and every earlier one (VAR's attn_bias_for_masking, rows queryStart…).
   */
  mask(keyLength = this.length, queryStart = 0): tf.Tensor2D {
    return blockCausalMask(this.groupIds.slice(0, keyLength), { queryStart });
  }
}
