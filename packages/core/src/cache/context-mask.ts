import { tf } from '../tf.js';
import { InputError } from '../errors.js';
import type { VisibilityRule } from '../nn/attention-mask.js';
import type { LayerKVCache } from './layer-kv-cache.js';

/**
 * The additive mask over what a chunk attends to — the cache's slots, then the chunk's own keys — for queries at
 * `queryPositions` (keys of the chunk at `chunkPositions`, default the same): 0 where `visible(p, q)`, −∞ elsewhere
 * and on dead slots. [Lq, T + t] when every head holds the same positions, else [1, H, Lq, T + t]. A query that
 * sees no key is an error (its softmax would be NaN). Examples of rules: causal `(p, q) => q <= p`; sliding window
 * `(p, q) => q <= p && p - q < W`; block-causal within a chunk `() => true` (the default without a mask).
 */
export function contextMask(
  cache: LayerKVCache | undefined,
  queryPositions: readonly number[],
  visible: VisibilityRule,
  chunkPositions: readonly number[] = queryPositions,
): tf.Tensor {
  const heads = cache && cache.length > 0 ? headRows(cache) : [[]];
  const shared = heads.every((row) => row === heads[0]);
  const rows = (shared ? [heads[0] as readonly number[]] : heads).map((row) => [...row, ...chunkPositions]);
  const lq = queryPositions.length;
  const lk = (rows[0] as number[]).length;
  const values = new Float32Array(rows.length * lq * lk);
  rows.forEach((keys, h) => {
    for (let i = 0; i < lq; i++) {
      const p = queryPositions[i] as number;
      let any = false;
      for (let j = 0; j < lk; j++) {
        const q = keys[j] as number;
        const ok = q >= 0 && visible(p, q);
        values[(h * lq + i) * lk + j] = ok ? 0 : -Infinity;
        any ||= ok;
      }
      if (!any) throw new InputError(`contextMask: the query at position ${p} sees no key${shared ? '' : ` in head ${h}`}`);
    }
  });
  return shared ? tf.tensor2d(values, [lq, lk]) : tf.tensor4d(values, [1, rows.length, lq, lk]);
}

/** Each head's slot positions, the same array object for heads that agree (so the mask can be shared). */
function headRows(cache: LayerKVCache): readonly (readonly number[])[] {
  const first = cache.headPositions(0);
  return Array.from({ length: cache.numHeads }, (_, h) => {
    const row = cache.headPositions(h);
    return row.every((p, j) => p === first[j]) ? first : row;
  });
}
