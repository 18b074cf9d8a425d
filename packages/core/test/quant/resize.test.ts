import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { prepareResize, resize, resizeMatrix } from '../../src/quant/resize.js';
import { TensorCache } from '../../src/nn/tensor-cache.js';
import { phiIndices } from '../../src/quant/phi-schedule.js';
import { stopGradient } from '../../src/nn/stop-gradient.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const rows = (w: Float64Array, m: number) => Array.from({ length: w.length / m }, (_, i) => Array.from(w.subarray(i * m, (i + 1) * m)));
const expectRows = (actual: number[][], expected: number[][], digits: number) =>
  actual.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, digits)));

describe('resize matrices (torch.nn.functional.interpolate, fixture README 5.1)', () => {
  it('bicubic 2→4 and 3→5: unclamped source, clamped taps, overshoot', () => {
    expectRows(rows(resizeMatrix('bicubic', 2, 4), 2), [[1.10547, -0.10547], [0.77344, 0.22656], [0.22656, 0.77344], [-0.10547, 1.10547]], 5);
    expectRows(rows(resizeMatrix('bicubic', 3, 5), 3), [[1.096, -0.096, 0], [0.612, 0.46, -0.072], [0, 1, 0], [-0.072, 0.46, 0.612], [0, -0.096, 1.096]], 3);
    rows(resizeMatrix('bicubic', 1, 3), 1).forEach(([v]) => expect(v).toBeCloseTo(1, 12));
  });
  it('area windows [⌊i·m/n⌋, ⌈(i+1)·m/n⌉): 4→3, 5→3, 16→13 overlap', () => {
    const windows = (m: number, n: number) => rows(resizeMatrix('area', m, n), m).map((r) => [r.findIndex((v) => v > 0), r.length - [...r].reverse().findIndex((v) => v > 0)]);
    expect(windows(4, 3)).toEqual([[0, 2], [1, 3], [2, 4]]);
    expect(windows(5, 3)).toEqual([[0, 2], [1, 4], [3, 5]]);
    expect(windows(16, 13).slice(0, 6)).toEqual([[0, 2], [1, 3], [2, 4], [3, 5], [4, 7], [6, 8]]);
    expect(rows(resizeMatrix('area', 5, 3), 5)[1]).toEqual([0, 1 / 3, 1 / 3, 1 / 3, 0]);
  });
  it("nearest is torch's floor(i·m/n)", () => {
    expect(rows(resizeMatrix('nearest', 3, 6), 3).map((r) => r.indexOf(1))).toEqual([0, 0, 1, 1, 2, 2]);
    expect(rows(resizeMatrix('nearest', 5, 3), 5).map((r) => r.indexOf(1))).toEqual([0, 1, 3]);
  });
});

describe('φ choice (fixture README 5.3)', () => {
  it('matches the table for S = 3, 4, 10 with 4 shared φ, and n = 1, n = S', () => {
    expect(phiIndices(3, 4)).toEqual([0, 2, 3]);
    expect(phiIndices(4, 4)).toEqual([0, 1, 2, 3]);
    expect(phiIndices(10, 4)).toEqual([0, 0, 1, 1, 1, 2, 2, 3, 3, 3]);
    expect(phiIndices(5, 1)).toEqual([0, 0, 0, 0, 0]);
    expect(phiIndices(6, 6)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe.each(TEST_BACKENDS)('resize on %s', (backend) => {
  beforeAll(async () => useBackend(backend));
  it('with a matrix cache: the same values, matrices built once per (mode, sizes), none allocated per call', () => {
    const cache = new TensorCache();
    const x = tf.tensor4d(Array.from({ length: 2 * 6 * 6 * 3 }, (_, i) => Math.sin(i)), [2, 6, 6, 3]);
    const before = tf.memory().numTensors;
    prepareResize(cache, 'area', [[6, 2], [6, 3]]);
    prepareResize(cache, 'bicubic', [[6, 4]]);
    expect(cache.size).toBe(3);
    expect(tf.memory().numTensors).toBe(before + 3);
    for (const [size, mode] of [[2, 'area'], [3, 'area'], [4, 'bicubic'], [3, 'area']] as const) {
      const [cached, plain] = [resize(x, size, mode, cache), resize(x, size, mode)];
      expect(Array.from(cached.dataSync())).toEqual(Array.from(plain.dataSync()));
      tf.dispose([cached, plain]);
    }
    expect(cache.size).toBe(3);
    expect(tf.memory().numTensors).toBe(before + 3);
    const nearest = resize(x, 2, 'nearest', cache); // an unprepared pair is built on first use and kept
    expect(cache.size).toBe(4);
    nearest.dispose();
    cache.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('resizes NHWC separably, per channel and sample, and has gradients', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      // Two samples, two channels; channel 1 is channel 0 times 10, sample 1 is sample 0 plus 1.
      const base = [1, 2, 3, 4];
      const data: number[] = [];
      for (const s of [0, 1]) for (const v of base) data.push(v + s, (v + s) * 10);
      const x = tf.tensor4d(data, [2, 2, 2, 2]);
      const up = resize(x, 4, 'bicubic');
      const w = rows(resizeMatrix('bicubic', 2, 4), 2);
      // Hand value at (row 0, col 0) of sample 0, channel 0: Σ w0[a]·w0[b]·x[a,b].
      const expected = w[0]![0]! * (w[0]![0]! * 1 + w[0]![1]! * 2) + w[0]![1]! * (w[0]![0]! * 3 + w[0]![1]! * 4);
      const values = up.arraySync() as number[][][][];
      expect(values[0]![0]![0]![0]).toBeCloseTo(expected, 5);
      expect(values[0]![0]![0]![1]).toBeCloseTo(expected * 10, 4);
      expect(values[1]![0]![0]![0]).toBeCloseTo(expected + 1, 5);
      const down = resize(tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]), 2, 'area');
      expect(Array.from(down.dataSync())).toEqual([3, 4, 6, 7]);
      const g = tf.grad((t: tf.Tensor) => tf.sum(resize(t as tf.Tensor4D, 3, 'area')))(tf.ones([1, 4, 4, 1]));
      // Overlapping windows: middle inputs are counted twice, each window of 2 has weight 1/2 per axis.
      expect(Array.from(g.dataSync()).slice(0, 4)).toEqual([0.25, 0.5, 0.5, 0.25]);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
  it('stopGradient passes values and blocks gradients', () => {
    tf.tidy(() => {
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.add(tf.mul(stopGradient(t), t), stopGradient(tf.square(t)))))(tf.tensor1d([3]));
      expect(g.dataSync()[0]).toBe(3);
    });
  });
});
