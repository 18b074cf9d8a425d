import { tf } from '../tf.js';
import type { KVCache } from '../cache/kv-cache.js';
import type { AdaLNChunks, AdaLNSelfAttn } from './ada-ln-self-attn.js';

export interface BlockRunOptions {
  /** Additive mask broadcast to the attention logits (teacher forcing or a multi-scale prefix). */
  readonly mask?: tf.Tensor;
  /** One layer cache per block: this call's keys and values are appended (incremental generation). */
  readonly caches?: KVCache;
  /** Cross-attention context [B, Lc, D] of blocks that have it. */
  readonly context?: tf.Tensor;
  /** Sees every block's output (layer index, hidden states), for debugging and parity checks. */
  readonly tap?: (layer: number, h: tf.Tensor3D) => void;
}

/**
 * Each block's AdaLN chunks for a condition that several calls share (generation: every scale reuses c), to pass to
 * runAdaLNBlocks in its place: the Linear D → 6C runs once per block instead of once per call. The caller disposes them.
 */
export function blockModulations(blocks: readonly AdaLNSelfAttn[], cond: tf.Tensor): AdaLNChunks[] {
  return blocks.map((block) => block.modulation(cond));
}

/** Runs the blocks in order on x [B, l, C] with their condition (c, or shared_aln's modulation, or blockModulations). */
export function runAdaLNBlocks(
  blocks: readonly AdaLNSelfAttn[],
  x: tf.Tensor3D,
  cond: tf.Tensor | readonly AdaLNChunks[],
  options: BlockRunOptions = {},
): tf.Tensor3D {
  if (!(cond instanceof tf.Tensor) && cond.length !== blocks.length) {
    throw new RangeError(`runAdaLNBlocks: ${cond.length} modulations for ${blocks.length} blocks`);
  }
  return tf.tidy(() => {
    let h = x;
    blocks.forEach((block, l) => {
      const cache = options.caches?.layer(l);
      h = block.forward(h, cond instanceof tf.Tensor ? cond : (cond[l] as AdaLNChunks), {
        ...(options.mask ? { mask: options.mask } : {}),
        ...(cache ? { cache } : {}),
        ...(options.context ? { context: options.context } : {}),
      });
      options.tap?.(l, h);
    });
    return h;
  });
}
