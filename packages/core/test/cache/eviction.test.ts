import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { LayerKVCache } from '../../src/cache/layer-kv-cache.js';
import { heavyHitter, keepRecent, perHeadBudget, sinkAndRecent } from '../../src/cache/eviction-policies.js';
import { MultiHeadAttention } from '../../src/nn/attention.js';
import { slidingWindowMask } from '../../src/nn/attention-mask.js';
import { RotaryEmbedding } from '../../src/nn/rope.js';
import { Rng } from '../../src/rng/rng.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { expectClose, randomTensor } from '../nn/util.js';
import { expectDeadSlotsMasked, held, heldValues, liveSlots, tokens } from './cache-helpers.js';

function appendTokens(cache: LayerKVCache, start: number, t: number, heads = 2): void {
  const k = tokens(start, t, heads);
  cache.commit(k, k);
  k.dispose();
}

/** Attention probabilities [1, H, 1, T] putting `weights[h][j]` on head h's j-th live slot (0 on dead slots). */
function record(cache: LayerKVCache, weights: number[][]): void {
  const rows = weights.map((row, h) => {
    const out = new Array<number>(cache.length).fill(0);
    liveSlots(cache, h).forEach((slot, j) => (out[slot] = row[j] as number));
    return out;
  });
  const probs = tf.tensor4d(rows.flat(), [1, weights.length, 1, cache.length]);
  cache.recordAttention(probs);
  probs.dispose();
}

describe.each(TEST_BACKENDS)('eviction policies on %s', (backend) => {
  let baseline = 0;
  beforeEach(async () => {
    await useBackend(backend);
    baseline = tf.memory().numTensors;
  });
  afterEach(() => expect(tf.memory().numTensors).toBe(baseline));

  it('sink + recent keeps the first tokens and the newest (StreamingLLM)', () => {
    const cache = new LayerKVCache({ policy: sinkAndRecent({ sinkTokens: 2 }), budget: { tokens: 5 } });
    for (let p = 0; p < 10; p++) appendTokens(cache, p, 1);
    expect(held(cache)).toEqual([0, 1, 7, 8, 9]);
    expectDeadSlotsMasked(cache);
    appendTokens(cache, 10, 3); // a multi-token append is evicted in one go
    expect(held(cache)).toEqual([0, 1, 10, 11, 12]);
    expect(held(cache, 1)).toEqual([0, 1, 10, 11, 12]);
    expect(heldValues(cache, cache.read().k, 1)).toEqual([100, 101, 110, 111, 112]);
    expectDeadSlotsMasked(cache);
    cache.dispose();
  });

  it('heavy hitters keep the recent window plus the most-attended tokens, per head (H2O)', () => {
    const cache = new LayerKVCache({ policy: heavyHitter({ recent: 1 }), budget: { tokens: 3 } });
    appendTokens(cache, 0, 3);
    // Head 0 attends mostly to position 0, head 1 to position 1.
    record(cache, [
      [0.7, 0.1, 0.2],
      [0.1, 0.8, 0.1],
    ]);
    appendTokens(cache, 3, 1);
    expect(held(cache, 0)).toEqual([0, 2, 3]);
    expect(held(cache, 1)).toEqual([1, 2, 3]);
    expectDeadSlotsMasked(cache); // each head's evicted token is masked in that head only
    const k = cache.read().k;
    expect(heldValues(cache, k, 0)).toEqual([0, 2, 3]);
    expect(heldValues(cache, k, 1)).toEqual([101, 102, 103]);
    // Scores follow their tokens: head 0's position 0 stays the heavy hitter.
    const scores = cache.attentionScores()?.[0] ?? new Float32Array(0);
    expect(liveSlots(cache, 0).map((slot) => scores[slot])).toEqual([Math.fround(0.7), Math.fround(0.2), 0]);
    record(cache, [
      [0.1, 0.1, 0.8],
      [0.1, 0.1, 0.8],
    ]);
    appendTokens(cache, 4, 1);
    expect(held(cache, 0)).toEqual([0, 3, 4]);
    cache.dispose();
  });

  it('per-head budgets keep different counts per head, each head masking its own evicted slots', () => {
    const cache = new LayerKVCache({ policy: perHeadBudget({ fractions: [1, 0.5] }), budget: { tokens: 4 } });
    for (let p = 0; p < 6; p++) appendTokens(cache, p, 1);
    expect(held(cache, 0)).toEqual([2, 3, 4, 5]);
    expect(held(cache, 1)).toEqual([4, 5]);
    expectDeadSlotsMasked(cache);
    expect(heldValues(cache, cache.read().k, 1)).toEqual([104, 105]);
    cache.rollback(1);
    expect(held(cache, 0)).toEqual([2, 3, 4]);
    expect(held(cache, 1)).toEqual([4]);
    expectDeadSlotsMasked(cache);
    cache.dispose();
  });

  it.each([
    ['keep-recent', keepRecent()],
    ['sink-recent', sinkAndRecent({ sinkTokens: 3 })],
    ['per-head', perHeadBudget({ fractions: [1, 0.3], sinkTokens: 1 })],
  ] as const)('a byte budget holds at any length (%s)', (_, policy) => {
    const perToken = 2 * 1 * 2 * 2 * 4; // k and v, B = 1, H = 2, d = 2, float32
    const cache = new LayerKVCache({ policy, budget: { bytes: 7 * perToken + 5 } });
    for (let p = 0; p < 40; p += 3) {
      appendTokens(cache, p, 3);
      expect(cache.bytes).toBeLessThanOrEqual(7 * perToken + 5);
    }
    expect(cache.length).toBe(7);
    cache.dispose();
  });

  it('decoding with a keep-recent (sink) cache equals a sliding-window (+ sinks) mask over all tokens', () => {
    const rope = new RotaryEmbedding(4);
    const mha = new MultiHeadAttention({ dim: 8, numHeads: 2, rope, rng: Rng.seeded(4) }).eval();
    const x = randomTensor([1, 9, 8], 9);
    for (const sinks of [0, 2]) {
      const full = tf.tidy(() => {
        const mask = slidingWindowMask(9, { window: 3, sinkTokens: sinks });
        return mha.forward(x, { mask });
      });
      // A token attends to the cache and to itself, then is committed: a window of 3 needs the 2 newest cached.
      const policy = sinks ? sinkAndRecent({ sinkTokens: sinks }) : keepRecent();
      const cache = new LayerKVCache({ policy, budget: { tokens: 2 + sinks } });
      const steps = [];
      for (let p = 0; p < 9; p++) {
        steps.push(tf.tidy(() => mha.forward(tf.slice(x, [0, p, 0], [-1, 1, -1]), { cache })));
        expect(cache.tokenCount).toBe(Math.min(p + 1, 2 + sinks));
      }
      const joined = tf.concat(steps, 1);
      expectClose(joined, full.dataSync(), 1e-5);
      tf.dispose([full, joined, ...steps]);
      cache.dispose();
    }
    x.dispose();
    mha.dispose();
    rope.dispose();
  });

  it('per-head and H2O caches mask exactly the evicted keys of each head', () => {
    const mha = new MultiHeadAttention({ dim: 8, numHeads: 2, rng: Rng.seeded(5) }).eval();
    const x = randomTensor([1, 7, 8], 11);
    for (const policy of [perHeadBudget({ fractions: [1, 0.5], byScore: true, recent: 1 }), heavyHitter({ recent: 2 })]) {
      const cache = new LayerKVCache({ policy, budget: { tokens: 4 } });
      let last: tf.Tensor | undefined;
      let seen: number[][] = [];
      for (let p = 0; p < 7; p++) {
        last?.dispose();
        seen = [0, 1].map((h) => [...cache.headPositions(h), p]); // what this token attends to: the cache and itself
        last = tf.tidy(() => mha.forward(tf.slice(x, [0, p, 0], [-1, 1, -1]), { cache }));
      }
      // Reference: the full pass where the last query sees, per head, exactly the positions its cache kept.
      const rows: number[] = [];
      for (let h = 0; h < 2; h++) {
        const kept = seen[h] as number[];
        for (let i = 0; i < 7; i++)
          for (let j = 0; j < 7; j++) rows.push((i < 6 ? j <= i : kept.includes(j)) ? 0 : -Infinity);
      }
      expect(cache.headPositions(0)).toContain(6);
      expect(cache.tokenCount).toBe(4);
      const reference = tf.tidy(() => {
        const mask = tf.tensor4d(rows, [1, 2, 7, 7]);
        return tf.slice(mha.forward(x, { mask }), [0, 6, 0], [-1, 1, -1]);
      });
      expectClose(last as tf.Tensor, reference.dataSync(), 1e-5);
      tf.dispose([last as tf.Tensor, reference]);
      cache.dispose();
    }
    x.dispose();
    mha.dispose();
  });
});
