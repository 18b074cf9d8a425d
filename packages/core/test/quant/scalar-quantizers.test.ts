import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { FSQ } from '../../src/quant/fsq.js';
import { LookupFreeQuantizer } from '../../src/quant/lookup-free-quantizer.js';
import { ConfigError } from '../../src/errors.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const values = (t: tf.Tensor) => Array.from(t.dataSync());
const closeTo = (actual: number[], expected: number[], digits = 6) => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, digits));
};

describe.each(TEST_BACKENDS)('FSQ on %s', (backend) => {
  beforeAll(async () => useBackend(backend));

  it('round-trips every index ↔ code, mixed radix with channel 0 least significant', () => {
    const fsq = new FSQ({ levels: [3, 4, 5] });
    expect(fsq.codebookSize).toBe(60);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const ids = tf.range(0, 60, 1, 'int32');
      const codes = fsq.indicesToCodes(ids);
      expect(codes.shape).toEqual([60, 3]);
      expect(values(fsq.codesToIndices(codes))).toEqual(values(ids));
      const rows = codes.arraySync() as number[][];
      expect(new Set(rows.map((r) => r.join(','))).size).toBe(60);
      // id 23 = 2 + 3·(3 + 4·1): digits [2, 3, 1] → (digit − ⌊L/2⌋)/⌊L/2⌋ = [1, 0.5, −0.5].
      expect(rows[23]).toEqual([1, 0.5, -0.5]);
      expect(rows[0]).toEqual([-1, -1, -1]);
      // Quantized random inputs land on the grid: code → index → code is exact.
      const q = fsq.quantize(tf.randomNormal([50, 3], 0, 2, 'float32', 4));
      const back = fsq.indicesToCodes(fsq.codesToIndices(q));
      expect(values(back)).toEqual(values(q));
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('bounds with the half offset for even levels; round has a straight-through gradient', () => {
    const fsq = new FSQ({ levels: [3, 4] });
    tf.tidy(() => {
      // 0 ↦ 0 for both (shift = atanh(offset/h)); ±large ↦ the outer levels: L=3 → ±1, L=4 → −1 and 0.5.
      const x = tf.tensor2d([[0, 0], [50, 50], [-50, -50]]);
      expect(values(fsq.quantize(x))).toEqual([0, 0, 1, 0.5, -1, -1]);
      const h4 = (3 * 0.999) / 2;
      closeTo(values(fsq.bound(tf.tensor2d([[50, 50]]))), [0.999, h4 - 0.5], 5);
      // d quantize/dx = h·(1 − tanh²(x + shift))/⌊L/2⌋ at x = 0: L=3 → 0.999; L=4 → h(1 − (0.5/h)²)/2.
      const g = tf.grad((t: tf.Tensor) => tf.sum(fsq.quantize(t)))(tf.tensor2d([[0, 0]]));
      closeTo(values(g), [0.999, (h4 * (1 - (0.5 / h4) ** 2)) / 2], 5);
    });
  });

  it('refuses bad levels', () => {
    expect(() => new FSQ({ levels: [1, 4] })).toThrow(ConfigError);
    expect(() => new FSQ({ levels: [] })).toThrow(ConfigError);
  });
});

describe.each(TEST_BACKENDS)('lookup-free quantizer on %s', (backend) => {
  beforeAll(async () => useBackend(backend));

  it('index ↔ bits, most significant first; z ≤ 0 is the 0 bit', () => {
    const lfq = new LookupFreeQuantizer({ bits: 3 });
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const ids = tf.range(0, 8, 1, 'int32');
      const codes = lfq.indicesToCodes(ids);
      expect((codes.arraySync() as number[][])[6]).toEqual([1, 1, -1]);
      expect(values(lfq.codesToIndices(codes))).toEqual(values(ids));
      expect(values(lfq.codesToIndices(tf.tensor2d([[0.3, 2, -0.1], [0, 0, 1e-6]])))).toEqual([6, 1]);
      expect(values(lfq.quantize(tf.tensor1d([0.3, 0, -2])))).toEqual([1, -1, -1]);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(lfq.quantize(t), tf.tensor1d([1, 2, 3]))))(tf.tensor1d([0.3, 0, -2]));
      expect(values(g)).toEqual([1, 2, 3]);
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('entropy penalty and commitment by hand', () => {
    const lfq = new LookupFreeQuantizer({ bits: 1, entropyTemperature: 1 });
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => lfq.forward(tf.tensor2d([[0.25], [-0.25]])));
    // p(+1 | z) = softmax(2·z·[−1, 1]) = σ(4z); both samples have entropy H(σ(1)); their mean is uniform.
    const p = 1 / (1 + Math.exp(-1));
    const h = -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
    expect(out.perSampleEntropy.dataSync()[0]).toBeCloseTo(h, 5);
    expect(out.codebookEntropy.dataSync()[0]).toBeCloseTo(Math.log(2), 5);
    expect(out.commitmentLoss.dataSync()[0]).toBeCloseTo(0.5625, 6);
    expect(out.loss.dataSync()[0]).toBeCloseTo(0.1 * (h - Math.log(2)) + 0.25 * 0.5625, 5);
    expect(values(out.indices)).toEqual([1, 0]);
    tf.dispose(Object.values(out));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a bad config', () => {
    expect(() => new LookupFreeQuantizer({ bits: 0 })).toThrow(ConfigError);
  });
});
