import { describe, expect, it } from 'vitest';
import { mae, mase, maseScale, rmse, smape } from '../../src/metrics/point-metrics.js';
import { crpsFromSamples, meanCrps, quantile } from '../../src/metrics/crps.js';

describe('point forecast metrics, against values computed by hand', () => {
  const actual = [1, 2, 3];
  const forecast = [2, 2, 5];

  it('MAE, RMSE and sMAPE', () => {
    expect(mae(actual, forecast)).toBeCloseTo(1, 15);
    expect(rmse(actual, forecast)).toBeCloseTo(Math.sqrt(5 / 3), 15);
    // 200/3 · (|1−2|/(1+2) + 0 + |3−5|/(3+5)) = 200/3 · (1/3 + 1/4)
    expect(smape(actual, forecast)).toBeCloseTo((200 / 3) * (1 / 3 + 1 / 4), 12);
    expect(smape([0, 1], [0, 1])).toBe(0);
  });

  it('MASE scales by the in-sample (seasonal) naive error', () => {
    const insample = [1, 3, 2, 6];
    expect(maseScale(insample, 1)).toBeCloseTo(7 / 3, 15); // |2|, |−1|, |4|
    expect(mase(actual, forecast, insample, 1)).toBeCloseTo(3 / 7, 15);
    expect(maseScale(insample, 2)).toBeCloseTo(2, 15); // |2−1|, |6−3|
    expect(mase(actual, forecast, insample, 2)).toBeCloseTo(0.5, 15);
  });

  it('skips missing actual values instead of propagating NaN, and refuses NaN forecasts', () => {
    expect(mae([1, Number.NaN, 3], [2, 100, 5])).toBeCloseTo(1.5, 15);
    expect(() => mae([1, 2], [1, Number.NaN])).toThrow(/forecast 1 is NaN/);
    expect(() => mae([Number.NaN], [1])).toThrow(/no observed actual/);
  });
});

describe('CRPS from samples', () => {
  it('matches E|X − y| − ½E|X − X′| computed by hand', () => {
    // E|X − 2.5| = (1.5 + 0.5 + 0.5 + 1.5)/4 = 1; Σ_ij |x_i − x_j| = 2·(1+2+3+1+2+1) = 20 → E|X − X′| = 20/16.
    expect(crpsFromSamples([4, 1, 3, 2], 2.5)).toBeCloseTo(1 - 0.5 * (20 / 16), 15);
    expect(crpsFromSamples([3], 1)).toBe(2);
  });

  it('approaches the closed form of a Gaussian forecast, σ[z(2Φ(z) − 1) + 2φ(z) − 1/√π]', () => {
    // Samples at the mid-quantiles of N(μ, σ²), found by bisection on Φ.
    const phi = (z: number) => Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);
    const cdf = (z: number) => {
      // Φ by Simpson integration of φ from 0 (accurate to ~1e-9 here).
      const steps = 200;
      const h = z / steps;
      let s = phi(0) + phi(z);
      for (let i = 1; i < steps; i++) s += (i % 2 ? 4 : 2) * phi(i * h);
      return 0.5 + (s * h) / 3;
    };
    const inv = (p: number) => {
      let lo = -9;
      let hi = 9;
      for (let i = 0; i < 40; i++) {
        const mid = (lo + hi) / 2;
        if (cdf(mid) < p) lo = mid;
        else hi = mid;
      }
      return (lo + hi) / 2;
    };
    const [mu, sigma, y, n] = [1, 2, 2.2, 400];
    const samples = Array.from({ length: n }, (_, i) => mu + sigma * inv((i + 0.5) / n));
    const z = (y - mu) / sigma;
    const exact = sigma * (z * (2 * cdf(z) - 1) + 2 * phi(z) - 1 / Math.sqrt(Math.PI));
    expect(crpsFromSamples(samples, y)).toBeCloseTo(exact, 2);
  });

  it('averages over steps, skipping missing observations', () => {
    const paths = [
      [1, 10],
      [3, 10],
    ];
    // step 0: E|X − 2| = 1, E|X − X′| = (0 + 2 + 2 + 0)/4 = 1 → 0.5; step 1 is missing.
    expect(meanCrps(paths, [2, Number.NaN])).toBeCloseTo(0.5, 15);
  });

  it('quantiles interpolate linearly between order statistics (numpy default)', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([4, 1, 3, 2], 0.25)).toBe(1.75);
    expect(quantile([4, 1, 3, 2], 1)).toBe(4);
  });
});
