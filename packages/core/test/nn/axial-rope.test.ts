import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { AxialRotaryEmbedding } from '../../src/nn/axial-rope.js';
import { RotaryEmbedding } from '../../src/nn/rope.js';
import { MultiHeadAttention } from '../../src/nn/attention.js';
import { Rng } from '../../src/rng/rng.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { expectClose, randomTensor } from './util.js';

/** Video tokens laid out frame by frame on a 2 × 3 grid. */
const grid = (p: number) => [Math.floor(p / 6), Math.floor(p / 3) % 2, p % 3];

describe.each(TEST_BACKENDS)('AxialRotaryEmbedding on %s', (backend) => {
  let baseline = 0;
  beforeEach(async () => {
    await useBackend(backend);
    baseline = tf.memory().numTensors;
  });
  afterEach(() => expect(tf.memory().numTensors).toBe(baseline));

  it('with one axis is the 1-D rotary embedding', () => {
    const x = randomTensor([2, 3, 5, 8], 3);
    const positions = [0, 4, 9, 17, 300];
    const axial = new AxialRotaryEmbedding({ axes: [{ dims: 8 }], coordinates: (p) => [p] }).apply(x, positions);
    const rope = new RotaryEmbedding(8);
    const plain = rope.apply(x, positions);
    expectClose(axial, plain.dataSync(), 1e-6);
    tf.dispose([x, axial, plain]);
    rope.dispose(); // it keeps its cos/sin tables
  });

  it('rotates each channel part as a 1-D rotary embedding of its axis coordinate', () => {
    const axes = [{ dims: 4, base: 100 }, { dims: 2 }, { dims: 6, base: 1000 }];
    const rope = new AxialRotaryEmbedding({ axes, coordinates: grid });
    const x = randomTensor([1, 2, 12, 12], 5);
    const positions = Array.from({ length: 12 }, (_, i) => 3 * i + 1);
    const got = rope.apply(x, positions);
    const plain = axes.map((axis) => new RotaryEmbedding(axis.dims, { base: axis.base ?? 10000 }));
    const expected = tf.tidy(() => {
      const parts = tf.split(x, [4, 2, 6], 3);
      const rotatedParts = axes.map((_, a) => {
        const oneAxis = plain[a] as RotaryEmbedding;
        // Rotate each token at its own coordinate on axis a.
        const rows = positions.map((p, i) => oneAxis.apply(tf.slice(parts[a] as tf.Tensor, [0, 0, i, 0], [-1, -1, 1, -1]), [grid(p)[a] as number]));
        return tf.concat(rows, 2);
      });
      return tf.concat(rotatedParts, 3);
    });
    expectClose(got, expected.dataSync(), 1e-5);
    tf.dispose([x, got, expected]);
    for (const r of plain) r.dispose();
  });

  it('makes q·k depend on the offset of each axis only, and plugs into attention', () => {
    const rope = new AxialRotaryEmbedding({ axes: [{ dims: 2 }, { dims: 2 }, { dims: 4 }], coordinates: grid });
    const q = randomTensor([1, 1, 1, 8], 7);
    const k = randomTensor([1, 1, 1, 8], 8);
    const logit = (pq: number, pk: number) => tf.tidy(() => tf.sum(tf.mul(rope.apply(q, [pq]), rope.apply(k, [pk]))).dataSync()[0] as number);
    // Positions 7 → (1, 0, 1) and 2 → (0, 0, 2); shifted by one frame: 13 → (2, 0, 1) and 8 → (1, 0, 2).
    expect(logit(13, 8)).toBeCloseTo(logit(7, 2), 5);
    expect(logit(13, 8)).not.toBeCloseTo(logit(13, 7), 3);
    const attention = new MultiHeadAttention({ dim: 16, numHeads: 2, rope, rng: Rng.seeded(1) });
    const x = randomTensor([1, 6, 16], 9);
    const y = attention.forward(x);
    expect(y.shape).toEqual([1, 6, 16]);
    expect(() => new AxialRotaryEmbedding({ axes: [{ dims: 3 }], coordinates: (p) => [p] })).toThrow(/even/);
    tf.dispose([q, k, x, y]);
    attention.dispose();
  });
});
