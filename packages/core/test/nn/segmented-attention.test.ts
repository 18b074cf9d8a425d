import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { segmentedAttention, type AttentionSegment } from '../../src/nn/segmented-attention.js';
import { Rng } from '../../src/rng/rng.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

/** softmax(q·kᵀ·scale + mask)·v in float64 over the keys of every segment in order, one (b, h) at a time. */
function reference(q: number[][], keys: number[][], values: number[][], scale: number, mask?: (i: number, j: number) => number): number[][] {
  return q.map((qi, i) => {
    const logits = keys.map((k, j) => k.reduce((s, kv, c) => s + kv * (qi[c] as number), 0) * scale + (mask ? mask(i, j) : 0));
    const max = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - max));
    const sum = e.reduce((a, b) => a + b, 0);
    return (values[0] as number[]).map((_, c) => e.reduce((s, w, j) => s + (w / sum) * ((values[j] as number[])[c] as number), 0));
  });
}

describe.each(TEST_BACKENDS)('segmentedAttention on %s', (backend) => {
  let baseline = 0;
  beforeEach(async () => {
    await useBackend(backend);
    baseline = tf.memory().numTensors;
  });
  afterEach(() => expect(tf.memory().numTensors).toBe(baseline));

  // 40 queries of width 8 join the segments (2·Lq > d + dv); 2 queries keep them apart: both must give the definition.
  it.each([40, 2])('%i queries over three segments (a page with vᵀ, one with v, a chunk) match float64 attention', (queries) => {
    const [B, H, d, dv] = [2, 3, 8, 5];
    const sizes = [7, 4, 6];
    const rng = Rng.seeded(queries);
    const random = (n: number) => Array.from({ length: n }, () => rng.normal());
    const qValues = random(B * H * queries * d);
    const kValues = sizes.map((n) => random(B * H * n * d));
    const vValues = sizes.map((n) => random(B * H * n * dv));
    const lk = sizes.reduce((a, b) => a + b, 0);
    const maskAt = (i: number, j: number) => ((i + 2 * j) % 5 === 0 ? -1e9 : 0.1 * ((i * j) % 3));
    tf.tidy(() => {
      const q = tf.tensor4d(qValues, [B, H, queries, d]);
      const segments: AttentionSegment[] = sizes.map((n, s) => {
        const k = tf.tensor4d(kValues[s] as number[], [B, H, n, d]);
        const v = tf.tensor4d(vValues[s] as number[], [B, H, n, dv]);
        return s === 0 ? { k, vT: tf.transpose(v, [0, 1, 3, 2]) } : { k, v };
      });
      const mask = tf.tensor2d(Array.from({ length: queries * lk }, (_, x) => maskAt(Math.floor(x / lk), x % lk)), [queries, lk]);
      const { heads, probs } = segmentedAttention(q, segments, { scale: 0.3, mask });
      expect(heads.shape).toEqual([B, H, queries, dv]);
      expect(probs.shape).toEqual([B, H, queries, lk]);
      const got = heads.dataSync();
      for (let bh = 0; bh < B * H; bh++) {
        const rows = (values: number[], n: number, w: number) => Array.from({ length: n }, (_, r) => values.slice((bh * n + r) * w, (bh * n + r + 1) * w));
        const keys = sizes.flatMap((n, s) => rows(kValues[s] as number[], n, d));
        const values = sizes.flatMap((n, s) => rows(vValues[s] as number[], n, dv));
        const expected = reference(rows(qValues, queries, d), keys, values, 0.3, maskAt);
        expected.forEach((row, i) => row.forEach((e, c) => expect(Math.abs((got[(bh * queries + i) * dv + c] as number) - e)).toBeLessThan(2e-5)));
      }
    });
  });
});
