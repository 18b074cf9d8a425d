import { tf } from '@nextx/core';

/**
 * Where chunks come from and go back to, computed on the host from the boundary mask (mask mode, README 4.2/4.3):
 * per row, `order` lists the boundary positions in increasing order, then the non-boundary ones; chunk slot j < n_b
 * holds position order[j]; `plugBack[t]` = (number of boundaries up to t) − 1 is the slot position t reads back.
 */
export interface MaskedChunkPlan {
  readonly batch: number;
  readonly length: number;
  /** [B · L], per row a permutation of 0 … L−1. */
  readonly order: Int32Array;
  /** n_b per row. */
  readonly numTokens: readonly number[];
  /** M = max n_b. */
  readonly maxChunks: number;
  /** [B · M]: slot j of row b is a real chunk (j < n_b). */
  readonly nextMask: Uint8Array;
  /** [B · L] */
  readonly plugBack: Int32Array;
}

export function planMaskedChunks(boundaries: Uint8Array, batch: number, length: number): MaskedChunkPlan {
  const order = new Int32Array(batch * length);
  const plugBack = new Int32Array(batch * length);
  const numTokens: number[] = [];
  for (let b = 0; b < batch; b++) {
    let k = 0;
    let count = 0;
    for (let t = 0; t < length; t++) {
      if (boundaries[b * length + t]) order[b * length + k++] = t;
    }
    const n = k;
    for (let t = 0; t < length; t++) {
      if (!boundaries[b * length + t]) order[b * length + k++] = t;
      count += boundaries[b * length + t] as number;
      plugBack[b * length + t] = count - 1;
    }
    numTokens.push(n);
  }
  const maxChunks = Math.max(0, ...numTokens);
  const nextMask = new Uint8Array(batch * maxChunks);
  numTokens.forEach((n, b) => nextMask.fill(1, b * maxChunks, b * maxChunks + n));
  return { batch, length, order, numTokens, maxChunks, nextMask, plugBack };
}

/** Flat indices into a [B·L] axis of the first M entries of each row's order. */
export function slotSources(plan: MaskedChunkPlan): Int32Array {
  const { batch, length, maxChunks, order } = plan;
  const out = new Int32Array(batch * maxChunks);
  for (let b = 0; b < batch; b++) for (let j = 0; j < maxChunks; j++) out[b * maxChunks + j] = b * length + (order[b * length + j] as number);
  return out;
}

/** h [B, L, D] → chunks [B, M, D] (padding slots hold the row's first non-boundary states, as the official code). */
export function chunkMasked(h: tf.Tensor, plan: MaskedChunkPlan): tf.Tensor {
  return tf.tidy(() => {
    const dim = h.shape[2] as number;
    const rows = tf.gather(tf.reshape(h, [plan.batch * plan.length, dim]), tf.tensor1d(slotSources(plan), 'int32'));
    return tf.reshape(rows, [plan.batch, plan.maxChunks, dim]);
  });
}

/** Packed layout (README 4.2/4.3): the boundary positions in packed order and each sequence's chunk range. */
export interface PackedChunkPlan {
  /** [T']: packed positions that are boundaries. */
  readonly selected: Int32Array;
  /** [B + 1]: chunk offsets of the sequences. */
  readonly nextCuSeqlens: readonly number[];
  /** [T']: sequence number of each chunk. */
  readonly seqIdx: Int32Array;
  /** [T]: cumsum(b) − 1 over the packed axis (a global chunk index). */
  readonly plugBack: Int32Array;
}

export function planPackedChunks(boundaries: Uint8Array, cuSeqlens: readonly number[]): PackedChunkPlan {
  const selected: number[] = [];
  const plugBack = new Int32Array(boundaries.length);
  let count = 0;
  for (let t = 0; t < boundaries.length; t++) {
    if (boundaries[t]) selected.push(t);
    count += boundaries[t] as number;
    plugBack[t] = count - 1;
  }
  const cumulative = (end: number) => selected.filter((t) => t < end).length;
  const nextCuSeqlens = cuSeqlens.map((end) => cumulative(end));
  const seqIdx = new Int32Array(selected.length);
  for (let s = 0; s + 1 < nextCuSeqlens.length; s++) seqIdx.fill(s, nextCuSeqlens[s], nextCuSeqlens[s + 1]);
  return { selected: Int32Array.from(selected), nextCuSeqlens, seqIdx, plugBack };
}

/** h [T, D] → chunks [T', D]. */
export function chunkPacked(h: tf.Tensor, plan: PackedChunkPlan): tf.Tensor {
  return tf.tidy(() => tf.gather(h, tf.tensor1d(plan.selected, 'int32')));
}
