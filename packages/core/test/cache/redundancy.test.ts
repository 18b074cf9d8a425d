import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { InputError } from '../../src/errors.js';
import { LayerKVCache } from '../../src/cache/layer-kv-cache.js';
import { headwise, heavyHitter, importanceRedundancy, keepRecent, sinkAndRecent } from '../../src/cache/eviction-policies.js';
import { keyRedundancy } from '../../src/cache/key-redundancy.js';
import type { EvictionPolicy } from '../../src/cache/eviction-policy.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { expectClose } from '../nn/util.js';
import { held, tokens } from './cache-helpers.js';

const R = Math.SQRT1_2;

/** Commits one token per head with the given 2-d keys (values = keys). */
function commitKeys(cache: LayerKVCache, perHead: number[][], group?: number): void {
  const k = tf.tensor4d(perHead.flat(), [1, perHead.length, 1, 2]);
  cache.commit(k, k, group === undefined ? {} : { group });
  k.dispose();
}

describe.each(TEST_BACKENDS)('key redundancy and redundancy-aware eviction on %s', (backend) => {
  let baseline = 0;
  beforeEach(async () => {
    await useBackend(backend);
    baseline = tf.memory().numTensors;
  });
  afterEach(() => expect(tf.memory().numTensors).toBe(baseline));

  it('is each key’s mean cosine similarity to the other live keys, over segments, averaged over the batch', () => {
    // Batch 0: [1,0], [2,0], [0,3], [1,1]; batch 1: four equal keys (every similarity is 1).
    const batch0 = [1, 0, 2, 0, 0, 3, 1, 1];
    const batch1 = [1, 0, 1, 0, 1, 0, 1, 0];
    const keys = tf.tensor4d([...batch0, ...batch1], [2, 1, 4, 2]);
    const [a, b] = tf.split(keys, [2, 2], 2) as [tf.Tensor4D, tf.Tensor4D];
    const all = keyRedundancy([a, b], [[0, 1, 2, 3]]);
    const first = [(1 + 0 + R) / 3, (1 + 0 + R) / 3, (0 + 0 + R) / 3, (3 * R) / 3];
    expectClose(all[0] as Float32Array, first.map((x) => (x + 1) / 2), 1e-6);
    // A dead slot (position −1) neither counts nor is counted.
    const withDead = keyRedundancy([keys], [[0, 1, 2, -1]]);
    expectClose(withDead[0] as Float32Array, [(0.5 + 1) / 2, (0.5 + 1) / 2, (0 + 1) / 2, 0], 1e-6);
    tf.dispose([keys, a, b]);
  });

  it('the cache hands policies the redundancy of its keys and the chunk’s', () => {
    let seen: readonly Float32Array[] | undefined;
    const spy: EvictionPolicy = {
      name: 'spy',
      needsScores: false,
      select: (ctx) => {
        seen = ctx.keyRedundancy;
        return keepRecent().select(ctx);
      },
    };
    const cache = new LayerKVCache({ policy: spy, budget: { tokens: 2 } });
    commitKeys(cache, [[1, 0]]);
    commitKeys(cache, [[0, 1]]);
    expect(seen).toBeUndefined(); // no plan while within budget
    commitKeys(cache, [[1, 1]]);
    expectClose(seen?.[0] as Float32Array, [R / 2, R / 2, R], 1e-6);
    cache.dispose();
  });

  it('λ = 0 drops the keys that repeat others first, per head', () => {
    const cache = new LayerKVCache({ policy: importanceRedundancy({ lambda: 0, recent: 1 }), budget: { tokens: 3 } });
    const head0 = [[1, 0], [0, 1], [0, 2], [1, 1]]; // positions 1 and 2 point the same way
    const head1 = [[1, 0], [1, 0], [0, 1], [1, 1]]; // positions 0 and 1 do
    head0.forEach((k, p) => commitKeys(cache, [k, head1[p] as number[]]));
    // Of each duplicate pair the newer stays (ties go to the newer token); the distinct oldest key survives.
    expect(held(cache, 0)).toEqual([0, 2, 3]);
    expect(held(cache, 1)).toEqual([1, 2, 3]);
    const recent = new LayerKVCache({ policy: keepRecent(), budget: { tokens: 3 } });
    head0.forEach((k, p) => commitKeys(recent, [k, head1[p] as number[]]));
    expect(held(recent, 0)).toEqual([1, 2, 3]);
    cache.dispose();
    recent.dispose();
  });

  it('λ = 1 ranks by attention alone, as heavy hitters do', () => {
    const plans = [importanceRedundancy({ lambda: 1, recent: 1 }), heavyHitter({ recent: 1 })].map((policy) => {
      const cache = new LayerKVCache({ policy, budget: { tokens: 3 } });
      for (let p = 0; p < 3; p++) commitKeys(cache, [[p + 1, 1], [1, p + 1]]);
      const probs = tf.tensor4d([0.2, 0.7, 0.1, 0.6, 0.1, 0.3], [1, 2, 1, 3]);
      cache.recordAttention(probs);
      probs.dispose();
      commitKeys(cache, [[1, 0], [0, 1]]);
      const out = [held(cache, 0), held(cache, 1)];
      cache.dispose();
      return out;
    });
    expect(plans[0]).toEqual([[0, 1, 3], [0, 2, 3]]);
    expect(plans[0]).toEqual(plans[1]);
  });

  it('by frame, a frame whose keys repeat another’s is dropped whole', () => {
    const cache = new LayerKVCache({ policy: importanceRedundancy({ lambda: 0, recent: 2 }), budget: { tokens: 4 }, evictBy: 'group' });
    const frames = [
      [[1, 0], [0.9, 0.1]],
      [[0, 1], [0.1, 1]],
      [[0, 1], [0.1, 1]],
    ];
    frames.forEach((frame, f) => frame.forEach((k) => commitKeys(cache, [k], f)));
    expect(held(cache)).toEqual([0, 1, 4, 5]);
    expect(cache.groups.filter((_, slot) => cache.positions[slot] as number >= 0)).toEqual([0, 0, 2, 2]);
    cache.dispose();
  });

  it('headwise plans each head by its own policy and share of the budget (Forcing-KV hybrid)', () => {
    const policy = headwise([sinkAndRecent({ sinkTokens: 1 }), keepRecent()], { fractions: [1, 0.5] });
    const cache = new LayerKVCache({ policy, budget: { tokens: 4 } });
    for (let p = 0; p < 6; p++) {
      const k = tokens(p, 1);
      cache.commit(k, k);
      k.dispose();
    }
    expect(held(cache, 0)).toEqual([0, 3, 4, 5]);
    expect(held(cache, 1)).toEqual([4, 5]);
    expect(headwise([heavyHitter({ recent: 1 }), keepRecent()]).needsScores).toBe(true);
    const wrong = new LayerKVCache({ policy: headwise([keepRecent()]), budget: { tokens: 1 } });
    const k = tokens(0, 2);
    expect(() => wrong.commit(k, k)).toThrow(InputError);
    expect(wrong.length).toBe(0);
    k.dispose();
    cache.dispose();
    expect(() => importanceRedundancy({ lambda: 2 })).toThrow(/lambda/);
  });
});
