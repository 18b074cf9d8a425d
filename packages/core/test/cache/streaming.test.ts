import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { InputError } from '../../src/errors.js';
import { LayerKVCache } from '../../src/cache/layer-kv-cache.js';
import { heavyHitter, keepRecent, perHeadBudget, sinkAndRecent } from '../../src/cache/eviction-policies.js';
import type { EvictionPolicy } from '../../src/cache/eviction-policy.js';
import { MultiHeadAttention } from '../../src/nn/attention.js';
import type { VisibilityRule } from '../../src/nn/attention-mask.js';
import { Rng } from '../../src/rng/rng.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { expectClose, randomTensor } from '../nn/util.js';
import { chunked, referenceAttention, type Visible } from './reference-attention.js';
import { tokens } from './cache-helpers.js';

const C = 8;
const H = 2;

function attention(seed: number): MultiHeadAttention {
  return new MultiHeadAttention({ dim: C, numHeads: H, rng: Rng.seeded(seed) }).eval();
}

/** An additive [t, T + t] mask over the cache's slots then the chunk's, built here from the slot positions. */
function maskOver(cache: LayerKVCache, start: number, t: number, visible: VisibilityRule): tf.Tensor2D {
  const keys = [...cache.positions, ...Array.from({ length: t }, (_, i) => start + i)];
  const values = new Float32Array(t * keys.length);
  for (let i = 0; i < t; i++) keys.forEach((q, j) => (values[i * keys.length + j] = q >= 0 && visible(start + i, q) ? 0 : -Infinity));
  return tf.tensor2d(values, [t, keys.length]);
}

/** Everything observable about a cache, to compare before and after a call. */
function snapshot(cache: LayerKVCache) {
  return {
    length: cache.length,
    next: cache.nextPosition,
    bytes: cache.bytes,
    pages: cache.numPages,
    positions: [0, 1].map((h) => [...cache.headPositions(h)]),
    groups: [...cache.groups],
    scores: cache.attentionScores()?.map((row) => Array.from(row)),
    k: cache.length ? Array.from(cache.read().k.dataSync()) : [],
    v: cache.length ? Array.from(cache.read().v.dataSync()) : [],
  };
}

function commitTokens(cache: LayerKVCache, start: number, t: number, group?: number): void {
  const k = tokens(start, t);
  cache.commit(k, k, group === undefined ? {} : { group });
  k.dispose();
}

describe.each(TEST_BACKENDS)('KV cache streaming on %s (attend, then commit and evict)', (backend) => {
  let baseline = 0;
  beforeEach(async () => {
    await useBackend(backend);
    baseline = tf.memory().numTensors;
  });
  afterEach(() => expect(tf.memory().numTensors).toBe(baseline));

  it.each([[128], [2]])('a rolling window over chunks equals full attention with the sliding-window mask (page size %i)', (pageSize) => {
    const mha = attention(1);
    const sizes = [3, 3, 2, 1, 3, 4];
    const total = sizes.reduce((a, b) => a + b, 0);
    const x = randomTensor([2, total, C], 2);
    const window = 5;
    const slide: VisibilityRule = (p, q) => q <= p && p - q < window;
    const reference = referenceAttention(mha, x, slide);
    // A chunk sees the window − 1 tokens before it: that is all the cache must keep.
    const cache = new LayerKVCache({ policy: keepRecent(), budget: { tokens: window - 1 }, pageSize });
    const out = chunked(x, sizes, (chunk, start, index) => {
      const mask = maskOver(cache, start, sizes[index] as number, slide);
      const y = mha.forward(chunk, { cache, mask });
      const end = start + (sizes[index] as number);
      expect(cache.positions.filter((p) => p >= 0)).toEqual(Array.from({ length: Math.min(end, window - 1) }, (_, i) => end - Math.min(end, window - 1) + i));
      return y;
    });
    expectClose(out, reference.dataSync(), 1e-5);
    tf.dispose([x, reference, out]);
    cache.dispose();
    mha.dispose();
  });

  it('the issue #13 case: a budget of 4 and two 3-token chunks, chunk 2 sees positions 0–5 (causal)', () => {
    const mha = attention(3);
    const x = randomTensor([1, 6, C], 4);
    const causal: VisibilityRule = (p, q) => q <= p;
    const reference = referenceAttention(mha, x, causal);
    const cache = new LayerKVCache({ budget: { tokens: 4 } });
    const out = chunked(x, [3, 3], (chunk, start) => mha.forward(chunk, { cache, visible: causal, positions: [start, start + 1, start + 2] }));
    expectClose(out, reference.dataSync(), 1e-5);
    expect(cache.positions.filter((p) => p >= 0)).toEqual([2, 3, 4, 5]); // evicted after chunk 2 attended
    tf.dispose([x, reference, out]);
    cache.dispose();
    mha.dispose();
  });

  it('sink + recent over chunks equals full attention with the sliding-window + sinks mask', () => {
    const mha = attention(5);
    const sizes = [3, 3, 3, 3, 2, 1];
    const total = sizes.reduce((a, b) => a + b, 0);
    const x = randomTensor([1, total, C], 6);
    const [sinks, window] = [2, 4];
    const rule: VisibilityRule = (p, q) => q <= p && (p - q < window || q < sinks);
    const reference = referenceAttention(mha, x, rule);
    const cache = new LayerKVCache({ policy: sinkAndRecent({ sinkTokens: sinks }), budget: { tokens: sinks + window - 1 }, pageSize: 4 });
    const out = chunked(x, sizes, (chunk) => mha.forward(chunk, { cache, visible: rule }));
    expectClose(out, reference.dataSync(), 1e-5);
    expect(cache.positions.filter((p) => p >= 0)).toEqual([0, 1, 12, 13, 14]);
    tf.dispose([x, reference, out]);
    cache.dispose();
    mha.dispose();
  });

  it.each([
    ['rolling', keepRecent(), 0],
    ['sink frame + rolling', sinkAndRecent({ sinkTokens: 1 }), 1],
  ] as const)('group eviction (%s) keeps whole frames and equals attention over the kept frames', (_, policy, sinkFrames) => {
    const mha = attention(7);
    const frames = [3, 2, 4, 3, 2, 3, 1];
    const total = frames.reduce((a, b) => a + b, 0);
    const x = randomTensor([1, total, C], 8);
    const frameOf = frames.flatMap((size, f) => Array.from({ length: size }, () => f));
    const budget = 6 + (sinkFrames ? 3 : 0);
    // By hand: after frame f is committed, the sink frame (if any) and the newest whole frames within the budget.
    const keptAfter = (f: number): number[] => {
      const kept = sinkFrames ? [0] : [];
      let room = budget - (sinkFrames ? (frames[0] as number) : 0);
      for (let g = f; g >= (sinkFrames ? 1 : 0) && (frames[g] as number) <= room; g--) {
        kept.push(g);
        room -= frames[g] as number;
      }
      return kept;
    };
    const visible: Visible = (i, j) => {
      const [fi, fj] = [frameOf[i] as number, frameOf[j] as number];
      return fj === fi || (fi > 0 && keptAfter(fi - 1).includes(fj));
    };
    const reference = referenceAttention(mha, x, visible);
    const cache = new LayerKVCache({ policy, budget: { tokens: budget }, evictBy: 'group', pageSize: 4 });
    const out = chunked(x, frames, (chunk, _start, f) => {
      const y = mha.forward(chunk, { cache, group: f }); // a frame attends to itself whole and to the kept frames
      const heldFrames = [...new Set(cache.groups.filter((g) => g >= 0))].sort((a, b) => a - b);
      expect(heldFrames).toEqual(keptAfter(f).sort((a, b) => a - b));
      for (const g of heldFrames) expect(cache.groups.filter((id) => id === g).length).toBe(frames[g]); // never split
      return y;
    });
    expectClose(out, reference.dataSync(), 1e-5);
    tf.dispose([x, reference, out]);
    cache.dispose();
    mha.dispose();
  });

  it('a policy that splits a group is refused and the cache stays as it was', () => {
    const splitter: EvictionPolicy = { name: 'token-wise', needsScores: false, select: (ctx) => ({ shared: [ctx.length - 1] }) };
    const cache = new LayerKVCache({ policy: splitter, budget: { tokens: 3 }, evictBy: 'group' });
    commitTokens(cache, 0, 3, 0);
    const before = snapshot(cache);
    const chunk = tokens(3, 2);
    expect(() => cache.commit(chunk, chunk, { group: 1 })).toThrow(/splits group 1/);
    expect(snapshot(cache)).toEqual(before);
    chunk.dispose();
    cache.dispose();
  });

  it('attending without commit leaves the cache unchanged and equals committing once (denoising passes)', () => {
    const mha = attention(9);
    const context = randomTensor([1, 5, C], 10);
    const finalBlock = randomTensor([1, 3, C], 11);
    const next = randomTensor([1, 2, C], 12);
    const cache = new LayerKVCache();
    tf.dispose(mha.forward(context, { cache, visible: (p, q) => q <= p }));
    const before = snapshot(cache);
    const numTensors = tf.memory().numTensors;
    // Several passes of one block against the fixed context (a block attends to itself and the cache).
    for (const seed of [13, 14, 15]) {
      const noisy = randomTensor([1, 3, C], seed);
      const y = mha.forward(noisy, { cache, commit: false });
      const fresh = new LayerKVCache();
      tf.dispose(mha.forward(context, { cache: fresh, visible: (p, q) => q <= p }));
      const expected = mha.forward(noisy, { cache: fresh }); // the same pass, committing
      expectClose(y, expected.dataSync(), 1e-6);
      tf.dispose([noisy, y, expected]);
      fresh.dispose();
      expect(snapshot(cache)).toEqual(before);
      expect(tf.memory().numTensors).toBe(numTensors);
    }
    expect(cache.nextPosition).toBe(5);
    // The last pass commits; what follows sees the context and that block only.
    tf.dispose(mha.forward(finalBlock, { cache }));
    const y = mha.forward(next, { cache, visible: (p, q) => q <= p });
    const all = tf.concat([context, finalBlock, next], 1);
    const rule: VisibilityRule = (i, j) => (i < 5 ? j <= i : i < 8 ? j < 8 : j <= i); // causal prefix, block 5–7 whole
    const reference = tf.tidy(() => tf.slice(referenceAttention(mha, all, rule), [0, 8, 0], [-1, 2, -1]));
    expectClose(y, reference.dataSync(), 1e-5);
    tf.dispose([context, finalBlock, next, y, all, reference]);
    cache.dispose();
    mha.dispose();
  });

  it('growth keeps older pages as they are: a commit copies at most the last page', () => {
    const mha = attention(16);
    const x = randomTensor([1, 11, C], 17);
    const causal: VisibilityRule = (p, q) => q <= p;
    const reference = referenceAttention(mha, x, causal);
    const paged = new LayerKVCache({ pageSize: 4 });
    const whole = new LayerKVCache({ pageSize: Infinity });
    let firstPage: tf.Tensor | undefined;
    const out = chunked(x, Array.from({ length: 11 }, () => 1), (chunk, p) => {
      tf.dispose(mha.forward(chunk, { cache: whole }));
      const y = mha.forward(chunk, { cache: paged });
      if (p === 3) firstPage = paged.segments()[0]?.k; // sealed once full
      if (p > 3) expect(paged.segments()[0]?.k).toBe(firstPage); // the same tensor, not a copy
      return y;
    });
    expect(paged.numPages).toBe(3);
    expect(whole.numPages).toBe(1);
    expect(paged.bytes).toBe(whole.bytes);
    expectClose(paged.read().k, whole.read().k.dataSync(), 0);
    expectClose(out, reference.dataSync(), 1e-5);
    tf.dispose([x, reference, out]);
    paged.dispose();
    whole.dispose();
    mha.dispose();
  });

  it('lazy compaction keeps pages and bytes bounded and decoding exact over long rolling and H2O runs', () => {
    const mha = attention(18);
    const steps = 40;
    const x = randomTensor([1, steps, C], 19);
    const window = 7;
    const slide: VisibilityRule = (p, q) => q <= p && p - q < window;
    const reference = referenceAttention(mha, x, slide);
    const cache = new LayerKVCache({ budget: { tokens: window - 1 }, pageSize: 4 });
    const onePage = new LayerKVCache({ budget: { tokens: window - 1 } }); // the window lives in the last page
    const perSlot = 2 * H * (C / H) * 4;
    const out = chunked(x, Array.from({ length: steps }, () => 1), (chunk) => {
      const y = mha.forward(chunk, { cache, visible: slide });
      expect(cache.tokenCount).toBeLessThanOrEqual(window - 1);
      expect(cache.numPages).toBeLessThanOrEqual(4);
      expect(cache.bytes).toBeLessThanOrEqual((window - 1 + 4) * perSlot); // at most one page of dead slots
      tf.tidy(() => expectClose(mha.forward(chunk, { cache: onePage, visible: slide }), y.dataSync(), 1e-6));
      expect(onePage.length).toBeLessThanOrEqual(2 * (window - 1) + 1); // compacted once half dead
      return y;
    });
    expectClose(out, reference.dataSync(), 1e-5);
    onePage.dispose();
    tf.dispose([reference, out]);
    cache.dispose();
    // Scored, per-head policies over several pages: the last query sees, per head, exactly what its cache kept.
    const policies = [heavyHitter({ recent: 2 }), perHeadBudget({ fractions: [1, 0.6], byScore: true, recent: 1 })];
    for (const policy of policies) {
      const scored = new LayerKVCache({ policy, budget: { tokens: 5 }, pageSize: 3 });
      let seen: number[][] = [];
      let last: tf.Tensor | undefined;
      for (let p = 0; p < steps; p++) {
        last?.dispose();
        seen = [0, 1].map((h) => [...scored.headPositions(h).filter((q) => q >= 0), p]);
        // `visible` over a cache whose heads hold different positions: a per-head mask [1, H, 1, T + 1].
        last = tf.tidy(() => mha.forward(tf.slice(x, [0, p, 0], [-1, 1, -1]), { cache: scored, visible: (i, j) => j <= i }));
        expect(scored.numPages).toBeLessThanOrEqual(6);
      }
      const perHead = tf.tidy(() => {
        const rule: Visible = (i, j, h) => (i < steps - 1 ? j <= i : (seen[h] as number[]).includes(j));
        return tf.slice(referenceAttention(mha, x, rule), [0, steps - 1, 0], [-1, 1, -1]);
      });
      if (policy.name === 'per-head-budget') expect(seen[1]?.length).toBeLessThan(seen[0]?.length ?? 0);
      expect(seen[0]?.slice(0, -1).some((q) => q < steps - 6)).toBe(true); // a heavy hitter outlived the window
      expectClose(last as tf.Tensor, perHead.dataSync(), 1e-5);
      tf.dispose([last as tf.Tensor, perHead]);
      scored.dispose();
    }
    x.dispose();
    mha.dispose();
  });

  it('a bad call is refused before anything changes: mask shape, positions, shapes, attention, policy', () => {
    const mha = attention(20);
    const cache = new LayerKVCache({ policy: perHeadBudget({ fractions: [1, 0.5, 0.5] }), budget: { tokens: 5 } });
    const x = randomTensor([1, 3, C], 21);
    tf.dispose(mha.forward(x, { cache, visible: (p, q) => q <= p }));
    const stale = tf.zeros([3, 3]); // over the chunk only: the cache's 3 slots are missing
    const badK = tf.zeros([1, 3, 1, 4]);
    const probs = tf.zeros([1, H, 1, 2]);
    const ok = tokens(3, 1);
    const before = snapshot(cache);
    const numTensors = tf.memory().numTensors;
    const attempts: [string, () => unknown][] = [
      ['mask', () => mha.forward(x, { cache, mask: stale })],
      ['positions', () => mha.forward(x, { cache, positions: [3, 4] })],
      ['negative position', () => mha.forward(x, { cache, positions: [3, -4, 5] })],
      ['heads', () => cache.commit(badK, badK)],
      ['attention', () => cache.commit(ok, ok, { attention: probs })],
      ['group ids', () => cache.commit(ok, ok, { group: [1, 2] })],
      ['policy', () => mha.forward(x, { cache })], // 6 tokens > 5: the per-head policy has 3 fractions for 2 heads
    ];
    for (const [what, attempt] of attempts) {
      expect(attempt, what).toThrow(InputError);
      expect(snapshot(cache), what).toEqual(before);
      expect(tf.memory().numTensors, what).toBe(numTensors);
    }
    tf.dispose([x, stale, badK, probs, ok]);
    cache.dispose();
    mha.dispose();
  });

  it('a byte budget counts each tensor’s own dtype (bool keys take 1 byte, float32 values 4)', () => {
    const bytesBefore = tf.memory().numBytes;
    const [heads, t, d] = [2, 1, 3];
    const perSlot = heads * d * 1 + heads * d * 4;
    const cache = new LayerKVCache({ budget: { bytes: 5 * perSlot + 3 }, pageSize: 4 });
    for (let p = 0; p < 12; p++) {
      const k = tf.tidy(() => tf.cast(tf.fill([1, heads, t, d], p % 2), 'bool'));
      const v = tf.fill([1, heads, t, d], p);
      cache.commit(k, v);
      tf.dispose([k, v]);
      expect(cache.bytes).toBe(tf.memory().numBytes - bytesBefore); // what the backend really holds
      expect(cache.bytes).toBeLessThanOrEqual(5 * perSlot + 3);
    }
    expect(cache.tokenCount).toBe(5);
    expect(cache.positions).toEqual([7, 8, 9, 10, 11]);
    expect(cache.maxTokens()).toBe(5);
    cache.dispose();
  });
});
