import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { groupMoments, sumOverRows } from '../../src/nn/group-moments.js';
import { Rng } from '../../src/rng/rng.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

describe.each(TEST_BACKENDS)('row sums and GroupNorm statistics on %s', (backend) => {
  beforeAll(async () => useBackend(backend));

  it('sums 100,003 float32 rows (prime: the zero-padded blocking) to within 1e-6 relative of the float64 sums', () => {
    const rng = Rng.seeded(9);
    const [n, c] = [100_003, 2];
    const values = Float32Array.from({ length: n * c }, () => 1 + rng.uniform());
    tf.tidy(() => {
      const got = sumOverRows(tf.tensor3d(values, [1, n, c])).dataSync();
      for (let ci = 0; ci < c; ci++) {
        let exact = 0;
        for (let i = 0; i < n; i++) exact += values[i * c + ci] as number;
        expect(Math.abs((got[ci] as number) - exact) / exact).toBeLessThan(1e-6);
      }
    });
  });

  it.each([
    [3, 1],
    [64, 2],
    [65, 3],
    [4096, 1],
    [12 * 40, 2],
  ])('sums N = %i rows of %i channels per sample exactly for small integers', (n, c) => {
    tf.tidy(() => {
      const values = Float32Array.from({ length: 2 * n * c }, (_, i) => (i % 7) - 3);
      const got = sumOverRows(tf.tensor3d(values, [2, n, c]));
      expect(got.shape).toEqual([2, 1, c]);
      const expected = new Float32Array(2 * c);
      values.forEach((v, i) => {
        const at = Math.floor(i / (n * c)) * c + (i % c);
        expected[at] = (expected[at] as number) + v;
      });
      expect(Array.from(got.dataSync())).toEqual(Array.from(expected));
    });
  });

  it.each([
    [3, 5],
    [4, 1],
  ])('GroupNorm-shaped [B, N, C] in %i contiguous groups of %i channels matches float64 statistics', (g, c) => {
    const [b, n] = [2, 5000];
    const rng = Rng.seeded(4);
    const values = Float32Array.from({ length: b * n * g * c }, () => 3 + 2 * rng.normal());
    tf.tidy(() => {
      const { centered, variance } = groupMoments(tf.tensor3d(values, [b, n, g * c]), g);
      expect(variance.shape).toEqual([b, 1, g * c]);
      const [centeredValues, variances] = [centered.dataSync(), variance.dataSync()];
      for (let bi = 0; bi < b; bi++) {
        for (let gi = 0; gi < g; gi++) {
          const at = (ni: number, ci: number) => ((bi * n + ni) * g + gi) * c + ci;
          let sum = 0;
          let squares = 0;
          for (let ni = 0; ni < n; ni++) for (let ci = 0; ci < c; ci++) sum += values[at(ni, ci)] as number;
          const m = sum / (n * c);
          for (let ni = 0; ni < n; ni++) for (let ci = 0; ci < c; ci++) squares += ((values[at(ni, ci)] as number) - m) ** 2;
          const v = squares / (n * c);
          for (let ci = 0; ci < c; ci++) {
            expect(Math.abs((variances[bi * g * c + gi * c + ci] as number) - v) / v).toBeLessThan(1e-5);
            // The centred values carry the mean: x − mean within float32 rounding of x.
            const x0 = values[at(0, ci)] as number;
            expect(Math.abs((centeredValues[at(0, ci)] as number) - (x0 - m))).toBeLessThan(4e-6 * Math.abs(m) + 1e-6);
          }
        }
      }
    });
  });
});
