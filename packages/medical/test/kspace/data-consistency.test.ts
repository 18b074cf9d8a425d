import { beforeAll, describe, expect, it } from 'vitest';
import { tf, ConfigError, InputError, Rng } from '@nextx/core';
import { applyDataConsistency, sampleMask, undersample, type CartesianMask } from '../../src/index.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { randomArray } from '../helpers/reference-dft.js';

const shape: [number, number, number] = [2, 6, 16];
const n = shape[0] * shape[1] * shape[2];
const complex = (seed: number) => ({ re: tf.tensor3d(randomArray(n, seed), shape), im: tf.tensor3d(randomArray(n, seed + 1), shape) });

describe.each(TEST_BACKENDS)('data consistency on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('replace: measured lines are exactly the measurement, the others exactly the prediction', () => {
    const mask = sampleMask(16, { kind: 'random', acceleration: 4 }, Rng.seeded(5));
    const predicted = complex(10);
    const measured = complex(20);
    const out = applyDataConsistency(predicted, measured, mask);
    const [p, y, o] = [predicted.re.dataSync(), measured.re.dataSync(), out.re.dataSync()];
    const [pi, yi, oi] = [predicted.im.dataSync(), measured.im.dataSync(), out.im.dataSync()];
    for (let i = 0; i < n; i++) {
      const sampled = mask.columns[i % 16] === 1;
      expect(o[i]).toBe(sampled ? y[i] : p[i]);
      expect(oi[i]).toBe(sampled ? yi[i] : pi[i]);
    }
    tf.dispose([predicted.re, predicted.im, measured.re, measured.im, out.re, out.im]);
  });

  it('soft: (k̂ + λy)/(1 + λ) on measured lines', () => {
    const mask: CartesianMask = { columns: Uint8Array.from({ length: 16 }, (_, c) => (c % 3 === 0 ? 1 : 0)), numLowFrequencies: 0, acceleration: 3 };
    const predicted = complex(30);
    const measured = complex(40);
    const out = applyDataConsistency(predicted, measured, mask, { mode: 'soft', lambda: 3 });
    const [p, y, o] = [predicted.re.dataSync(), measured.re.dataSync(), out.re.dataSync()];
    for (let i = 0; i < n; i++) {
      const expected = i % 16 % 3 === 0 ? ((p[i] as number) + 3 * (y[i] as number)) / 4 : (p[i] as number);
      expect(o[i]).toBeCloseTo(expected, 6);
    }
    tf.dispose([predicted.re, predicted.im, measured.re, measured.im, out.re, out.im]);
  });

  it('undersample zeroes the unmeasured columns', () => {
    const mask = sampleMask(16, { kind: 'equispaced', acceleration: 4, centerFraction: 0.125, offset: 1 }, Rng.seeded(0));
    const k = complex(50);
    const u = undersample(k, mask);
    const [a, b] = [k.re.dataSync(), u.re.dataSync()];
    for (let i = 0; i < n; i++) expect(b[i]).toBe(mask.columns[i % 16] ? a[i] : 0);
    tf.dispose([k.re, k.im, u.re, u.im]);
  });

  it('refuses mismatched shapes, real k-space, an empty or wrong-sized mask, and bad options', () => {
    const mask = sampleMask(16, { acceleration: 4 }, Rng.seeded(1));
    const predicted = complex(60);
    const other = { re: tf.zeros([2, 6, 15]), im: tf.zeros([2, 6, 15]) };
    expect(() => applyDataConsistency(predicted, other, mask)).toThrow(InputError);
    expect(() => applyDataConsistency(predicted, other, mask)).toThrow(/predicted k-space \[2, 6, 16\] and measured k-space \[2, 6, 15\] differ in shape/);
    expect(() => applyDataConsistency(predicted, predicted.re as never, mask)).toThrow(/measured k-space must be complex/);
    const empty: CartesianMask = { columns: new Uint8Array(16), numLowFrequencies: 0, acceleration: 4 };
    expect(() => applyDataConsistency(predicted, predicted, empty)).toThrow(/mask is empty: it measures none of the 16 columns/);
    expect(() => applyDataConsistency(predicted, predicted, { ...mask, columns: new Uint8Array(8).fill(1) })).toThrow(/mask has 8 columns but the k-space has 16/);
    expect(() => applyDataConsistency(predicted, predicted, mask, { mode: 'soft', lambda: -1 })).toThrow(ConfigError);
    tf.dispose([predicted.re, predicted.im, other.re, other.im]);
  });
});
