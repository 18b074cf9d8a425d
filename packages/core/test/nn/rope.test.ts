import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { RotaryEmbedding } from '../../src/nn/rope.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { expectClose, values } from './util.js';

describe.each(TEST_BACKENDS)('RotaryEmbedding on %s', (backend) => {
  let baseline = 0;
  beforeEach(async () => {
    await useBackend(backend);
    baseline = tf.memory().numTensors;
  });
  afterEach(() => expect(tf.memory().numTensors).toBe(baseline));

  it('rotates channel pairs (i, i + d/2) by p·base^(−2i/d) (rotate-half convention)', () => {
    const rope = new RotaryEmbedding(4);
    expect(rope.stateDictShapes()).toEqual({});
    // d = 4: θ0 = 1, θ1 = 10000^(−1/2) = 0.01. e0 pairs with e2, e1 with e3.
    const x = tf.tensor4d([1, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3, 4], [1, 1, 3, 4]);
    const p = 3;
    const y = rope.apply(x, [p, p, 2]);
    const [c0, s0, c1, s1] = [Math.cos(p), Math.sin(p), Math.cos(p * 0.01), Math.sin(p * 0.01)];
    const [c2, s2, c3, s3] = [Math.cos(2), Math.sin(2), Math.cos(0.02), Math.sin(0.02)];
    expectClose(
      y,
      [c0, 0, s0, 0, 0, c1, 0, s1, 1 * c2 - 3 * s2, 2 * c3 - 4 * s3, 3 * c2 + 1 * s2, 4 * c3 + 2 * s3],
      1e-6,
    );
    tf.dispose([x, y]);
    rope.dispose();
  });

  it('makes q·k depend only on the position difference (so cache offsets are consistent)', () => {
    const rope = new RotaryEmbedding(8);
    const q = tf.tensor4d(values(8, 1), [1, 1, 1, 8]);
    const k = tf.tensor4d(values(8, 2), [1, 1, 1, 8]);
    const dot = (pq: number, pk: number) =>
      tf.tidy(() => tf.sum(tf.mul(rope.apply(q, [pq]), rope.apply(k, [pk]))).dataSync()[0] as number);
    expect(dot(7, 4)).toBeCloseTo(dot(103, 100), 5);
    expect(Math.abs(dot(7, 4) - dot(7, 5))).toBeGreaterThan(1e-3);
    tf.dispose([q, k]);
    rope.dispose();
  });
  it('keeps its cos/sin tables: every path (slice, gather, per call) gives the bits of freshly built tables, and dispose frees them', () => {
    const rope = new RotaryEmbedding(8, { maxCachedPositions: 128 });
    const fresh = (x: tf.Tensor, positions: number[]) =>
      tf.tidy(() => {
        // The rotation written out with tables built for exactly these positions.
        const { cos, sin } = rope.tables(positions);
        const [x1, x2] = tf.split(x, 2, 3);
        return tf.add(tf.mul(x, cos), tf.mul(tf.concat([tf.neg(x2!), x1!], 3), sin));
      });
    const range = (start: number, n: number) => Array.from({ length: n }, (_, i) => start + i);
    // Consecutive positions slice the kept tables, others gather from them; past maxCachedPositions rows are built per call.
    const cases = [range(0, 6), range(90, 6), [7, 3, 3, 60, 0, 1], range(124, 6), range(100, 20), range(120, 20)];
    const inputs = new Map([6, 20].map((n) => [n, tf.tensor4d(values(2 * n * 8, n), [1, 2, n, 8])]));
    const kept = () => tf.memory().numTensors - baseline - inputs.size;
    for (const positions of cases) {
      const x = inputs.get(positions.length)!;
      const [y, expected] = [rope.apply(x, positions), fresh(x, positions)];
      expect(Array.from(y.dataSync()), positions.join()).toEqual(Array.from(expected.dataSync()));
      tf.dispose([y, expected]);
    }
    expect(kept()).toBe(2); // the cos and sin tables [128, 8]
    const y = rope.apply(inputs.get(20)!, range(3, 20));
    expect(kept()).toBe(3); // and the output: nothing else stays
    y.dispose();
    rope.dispose();
    expect(kept()).toBe(0);
    // Used again after dispose, it rebuilds its tables.
    const again = rope.apply(inputs.get(6)!, range(0, 6));
    const expected = fresh(inputs.get(6)!, range(0, 6));
    expect(Array.from(again.dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([again, expected, ...inputs.values()]);
    rope.dispose();
  });
});
