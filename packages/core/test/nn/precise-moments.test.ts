import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { blockedSum, preciseMoments } from '../../src/nn/precise-moments.js';
import { Rng } from '../../src/rng/rng.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

describe.each(TEST_BACKENDS)('blocked summation on %s', (backend) => {
  beforeAll(async () => useBackend(backend));

  it('sums 100,003 float32 values to within 1e-6 relative of the float64 sum', () => {
    const rng = Rng.seeded(9);
    const values = Float32Array.from({ length: 100_003 }, () => 1 + rng.uniform());
    const exact = values.reduce((a, b) => a + b, 0);
    tf.tidy(() => {
      const got = blockedSum(tf.tensor2d(values, [1, values.length])).dataSync()[0] as number;
      expect(Math.abs(got - exact) / exact).toBeLessThan(1e-6);
    });
  });

  it('gives the mean and biased variance over several axes, kept for broadcasting', () => {
    tf.tidy(() => {
      const x = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
      const { mean, variance } = preciseMoments(x, [1, 2]);
      expect(mean.shape).toEqual([2, 1, 1]);
      expect(Array.from(mean.dataSync())).toEqual([2.5, 6.5]);
      expect(Array.from(variance.dataSync())).toEqual([1.25, 1.25]);
    });
  });

  it('GroupNorm-shaped [B, N, G, c] over (N, c) matches float64 statistics (innermost axis summed first)', () => {
    const [b, n, g, c] = [2, 5000, 3, 5];
    const rng = Rng.seeded(4);
    const values = Float32Array.from({ length: b * n * g * c }, () => 3 + 2 * rng.normal());
    tf.tidy(() => {
      const { mean, variance } = preciseMoments(tf.tensor4d(values, [b, n, g, c]), [1, 3]);
      expect(mean.shape).toEqual([b, 1, g, 1]);
      const [means, variances] = [mean.dataSync(), variance.dataSync()];
      for (let bi = 0; bi < b; bi++) {
        for (let gi = 0; gi < g; gi++) {
          let sum = 0;
          let squares = 0;
          for (let ni = 0; ni < n; ni++) for (let ci = 0; ci < c; ci++) sum += values[((bi * n + ni) * g + gi) * c + ci] as number;
          const m = sum / (n * c);
          for (let ni = 0; ni < n; ni++) for (let ci = 0; ci < c; ci++) squares += ((values[((bi * n + ni) * g + gi) * c + ci] as number) - m) ** 2;
          expect(Math.abs((means[bi * g + gi] as number) - m) / m).toBeLessThan(1e-6);
          expect(Math.abs((variances[bi * g + gi] as number) - squares / (n * c)) / (squares / (n * c))).toBeLessThan(1e-5);
        }
      }
    });
  });
});
