import { expect } from 'vitest';
import { tf } from '../../src/tf.js';
import type { LayerKVCache } from '../../src/cache/layer-kv-cache.js';

/** Keys [1, H, t, d] whose every value is 100·head + position, so that slots can be read back. */
export function tokens(start: number, t: number, heads = 2, d = 2): tf.Tensor4D {
  const v: number[] = [];
  for (let h = 0; h < heads; h++) for (let i = 0; i < t; i++) for (let c = 0; c < d; c++) v.push(100 * h + start + i);
  return tf.tensor4d(v, [1, heads, t, d]);
}

/** The slot indices of head h's live slots (dead slots, position −1, await reclamation and are masked). */
export function liveSlots(cache: LayerKVCache, head = 0): number[] {
  return cache.headPositions(head).flatMap((p, slot) => (p >= 0 ? [slot] : []));
}

/** Head h's tokens in slot order: the positions its live slots hold. */
export function held(cache: LayerKVCache, head = 0): number[] {
  return cache.headPositions(head).filter((p) => p >= 0);
}

/** The first channel of x [1, H, T, d] (e.g. `cache.read().k`) at head h's live slots. */
export function heldValues(cache: LayerKVCache, x: tf.Tensor, head: number): number[] {
  const [, heads, slots, d] = x.shape as [number, number, number, number];
  expect(heads).toBe(cache.numHeads);
  const data = x.dataSync();
  return liveSlots(cache, head).map((slot) => data[(head * slots + slot) * d] as number);
}

/** keyBias() is −∞ exactly on each head's dead slots (and absent when there are none). */
export function expectDeadSlotsMasked(cache: LayerKVCache): void {
  const bias = cache.keyBias();
  const heads = Array.from({ length: cache.numHeads }, (_, h) => h);
  if (!bias) {
    expect(heads.every((h) => cache.headPositions(h).every((p) => p >= 0))).toBe(true);
    return;
  }
  const values = bias.dataSync();
  const width = bias.shape[3];
  for (const h of heads) {
    const row = bias.shape[1] === 1 ? 0 : h;
    const masked = cache.headPositions(h).map((_, slot) => values[row * width + slot] === -Infinity);
    expect(masked).toEqual(cache.headPositions(h).map((p) => p < 0));
  }
}
