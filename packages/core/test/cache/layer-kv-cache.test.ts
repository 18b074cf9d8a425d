import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { LayerKVCache } from '../../src/cache/layer-kv-cache.js';
import { KVCache } from '../../src/cache/kv-cache.js';
import { sinkAndRecent } from '../../src/cache/eviction-policies.js';
import { ConfigError, InputError } from '../../src/errors.js';
import { expectDeadSlotsMasked, held, heldValues, tokens as sharedTokens } from './cache-helpers.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const tokens = (start: number, t: number, heads = 2) => sharedTokens(start, t, heads, 3);

/** The position encoded in each slot of head h (first channel). */
function slotValues(x: tf.Tensor, head: number): number[] {
  const [, , t, d] = x.shape as number[];
  const data = x.dataSync();
  return Array.from({ length: t as number }, (_, i) => (data[(head * (t as number) + i) * (d as number)] as number) - 100 * head);
}

function appendTokens(cache: LayerKVCache, start: number, t: number, heads = 2): void {
  const k = tokens(start, t, heads);
  const v = tokens(start, t, heads);
  cache.commit(k, v);
  tf.dispose([k, v]);
}

describe.each(TEST_BACKENDS)('LayerKVCache and KVCache on %s', (backend) => {
  let baseline = 0;
  beforeEach(async () => {
    await useBackend(backend);
    baseline = tf.memory().numTensors;
  });
  afterEach(() => expect(tf.memory().numTensors).toBe(baseline));

  it('appends, reads, counts bytes, survives callers’ tidy scopes and frees everything', () => {
    const cache = new LayerKVCache();
    expect(cache.length).toBe(0);
    expect(cache.bytes).toBe(0);
    tf.tidy(() => {
      const k = tokens(0, 2);
      cache.commit(k, tf.neg(k));
    });
    appendTokens(cache, 2, 3);
    expect(tf.memory().numTensors).toBe(baseline + 2); // one page: keys and values
    const { k, v } = cache.read();
    expect(k.shape).toEqual([1, 2, 5, 3]);
    expect(slotValues(k, 0)).toEqual([0, 1, 2, 3, 4]);
    expect(slotValues(k, 1)).toEqual([0, 1, 2, 3, 4]);
    expect(slotValues(v, 0).slice(0, 2)).toEqual([-0, -1]);
    expect(cache.positions).toEqual([0, 1, 2, 3, 4]);
    expect(cache.nextPosition).toBe(5);
    expect(cache.bytes).toBe(2 * 1 * 2 * 5 * 3 * 4);
    const bad = tf.zeros([1, 3, 1, 3]);
    expect(() => cache.commit(bad, bad)).toThrow(/does not continue/);
    bad.dispose();
    cache.truncate(3);
    expect(cache.positions).toEqual([0, 1, 2]);
    expect(cache.nextPosition).toBe(3);
    cache.rollback(1);
    expect(slotValues(cache.read().k, 1)).toEqual([0, 1]);
    expect(cache.nextPosition).toBe(2);
    cache.dispose();
    expect(cache.length).toBe(0);
  });

  it('keep-recent holds a token budget as a rolling window', () => {
    const cache = new LayerKVCache({ budget: { tokens: 4 } });
    for (let p = 0; p < 10; p++) {
      appendTokens(cache, p, 1);
      expect(cache.tokenCount).toBe(Math.min(p + 1, 4));
    }
    expect(held(cache)).toEqual([6, 7, 8, 9]);
    expect(heldValues(cache, cache.read().k, 1)).toEqual([106, 107, 108, 109]);
    expect(heldValues(cache, cache.read().v, 0)).toEqual([6, 7, 8, 9]);
    expectDeadSlotsMasked(cache);
    expect(cache.nextPosition).toBe(10);
    cache.dispose();
  });

  it('KVCache: one cache per layer, total bytes, rollback and dispose on every layer', () => {
    const model = new KVCache(3);
    for (let l = 0; l < 3; l++) appendTokens(model.layer(l), 0, 4);
    expect(model.length).toBe(4);
    expect(model.bytes).toBe(3 * model.layer(0).bytes);
    model.rollback(1);
    expect(model.layers.map((layer) => layer.length)).toEqual([3, 3, 3]);
    expect(model.nextPosition).toBe(3);
    expect(() => model.layer(3)).toThrow(/no layer 3/);
    model.dispose();
    expect(model.bytes).toBe(0);
  });

  it('KVCache: per-layer policies and budgets; a rollback or truncation one layer cannot take changes no layer', () => {
    const perLayer = [{ budget: { tokens: 2 } }, { policy: sinkAndRecent({ sinkTokens: 1 }), budget: { tokens: 3 } }, {}];
    const model = new KVCache(3, (l) => perLayer[l] ?? {});
    for (let p = 0; p < 6; p++) for (const layer of model.layers) appendTokens(layer, p, 1);
    expect(model.layers.map((layer) => [...layer.positions])).toEqual([[4, 5], [0, 4, 5], [0, 1, 2, 3, 4, 5]]);
    expect(model.layers.map((layer) => slotValues(layer.read().k, 1))).toEqual([[4, 5], [0, 4, 5], [0, 1, 2, 3, 4, 5]]);
    expect(model.bytes).toBe(((2 + 3 + 6) * model.layer(2).bytes) / 6);
    expect(() => new KVCache(2, {}).rollback(1)).toThrow(InputError);
    const shortOne = new KVCache(2);
    appendTokens(shortOne.layer(0), 0, 2);
    appendTokens(shortOne.layer(1), 0, 1);
    expect(() => shortOne.rollback(2)).toThrow(/layer 1/);
    expect(shortOne.layers.map((layer) => layer.length)).toEqual([2, 1]);
    expect(() => shortOne.truncate(2)).toThrow(/layer 1/);
    expect(shortOne.layers.map((layer) => layer.length)).toEqual([2, 1]);
    shortOne.dispose();
    model.dispose();
  });

  it('refuses bad options with the field named', () => {
    expect(() => new LayerKVCache({ pageSize: 0 })).toThrow(ConfigError);
    expect(() => new LayerKVCache({ budget: { tokens: -1 } })).toThrow(/budget\.tokens/);
    expect(() => new LayerKVCache({ evictBy: 'frame' as 'group' })).toThrow(/evictBy/);
  });
});
