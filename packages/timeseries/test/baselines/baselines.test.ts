import { describe, expect, it } from 'vitest';
import { Rng } from '@nextx/core';
import { naiveForecast, seasonalNaiveForecast } from '../../src/baselines/naive.js';
import { arForecast, arSamplePaths, fitLeastSquaresAr } from '../../src/baselines/least-squares-ar.js';

describe('baselines', () => {
  it('naive and seasonal naive repeat the last value and the last season', () => {
    expect(Array.from(naiveForecast([1, 2, 3], 2))).toEqual([3, 3]);
    expect(Array.from(seasonalNaiveForecast([1, 2, 3, 4, 5, 6], 4, 3))).toEqual([4, 5, 6, 4]);
    // A missing value takes the one a season earlier.
    expect(Array.from(seasonalNaiveForecast([1, 2, 3, 4, Number.NaN, 6], 3, 3))).toEqual([4, 2, 6]);
    expect(() => seasonalNaiveForecast([1, 2], 1, 3)).toThrow(/shorter than the season/);
  });

  it('least-squares AR(1) with intercept equals the regression computed by hand', () => {
    // rows (x_{t−1} → x_t): 1→2, 2→4, 4→3, 3→5: φ = Sxy/Sxx = 2/5, c = ȳ − φx̄ = 3.5 − 0.4·2.5.
    const model = fitLeastSquaresAr([1, 2, 4, 3, 5], 1);
    expect(model.coefficients[0]).toBeCloseTo(0.4, 12);
    expect(model.intercept).toBeCloseTo(2.5, 12);
    // residuals −0.9, 0.7, −1.1, 1.3: σ² = 4.2/(4 − 2)
    expect(model.sigma).toBeCloseTo(Math.sqrt(2.1), 12);
    const f = arForecast(model, [5], 2);
    expect(f[0]).toBeCloseTo(4.5, 12);
    expect(f[1]).toBeCloseTo(4.3, 12);
  });

  it('recovers a simulated AR(3) and its noise level; windows touching a missing value are left out', () => {
    const rng = Rng.seeded(7);
    const phi = [0.5, -0.3, 0.2];
    const x = [0, 0, 0];
    for (let t = 3; t < 6000; t++) x.push(1 + phi[0]! * x[t - 1]! + phi[1]! * x[t - 2]! + phi[2]! * x[t - 3]! + 0.5 * rng.normal());
    x[3000] = Number.NaN;
    const model = fitLeastSquaresAr(x, 3);
    expect(model.rows).toBe(6000 - 3 - 4);
    phi.forEach((p, k) => expect(Math.abs((model.coefficients[k] as number) - p)).toBeLessThan(0.03));
    expect(Math.abs(model.sigma - 0.5)).toBeLessThan(0.02);
    const paths = arSamplePaths(model, x.slice(-10), 5, 2000, Rng.seeded(1));
    const mean0 = paths.reduce((s, p) => s + (p[0] as number), 0) / paths.length;
    expect(Math.abs(mean0 - (arForecast(model, x.slice(-10), 1)[0] as number))).toBeLessThan(0.05);
  });
});
