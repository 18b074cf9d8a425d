import { describe, expect, it } from 'vitest';
import { autocorrelation, coefficientOfVariation, hillTailIndex, kurtosis, ksDistance, mean, powerLawDecay, variance, wasserstein1 } from '../../src/index.js';

// Every expected value below is worked out by hand from the definitions in statistics.ts.
describe('stylized-fact statistics against hand-computed values', () => {
  it('moments and kurtosis', () => {
    const x = [1, 2, 3, 4, 5];
    expect(mean(x)).toBe(3);
    expect(variance(x)).toBe(2); // (4 + 1 + 0 + 1 + 4) / 5
    expect(kurtosis(x)).toBeCloseTo(1.7, 12); // m4 = (16 + 1 + 0 + 1 + 16) / 5 = 6.8; 6.8 / 2² = 1.7
    expect(kurtosis([0, 0, 0, 0, 10])).toBeCloseTo(3.25, 12); // m2 = 16, m4 = (4·2⁴ + 8⁴)/5 = 832; 832 / 256
  });

  it('coefficient of variation (population std)', () => {
    expect(coefficientOfVariation([1, 3])).toBe(0.5);
    expect(coefficientOfVariation([2, 2, 2])).toBe(0);
  });

  it('Hill tail index', () => {
    // |x| sorted: 10, 5, 4, 2, 1; k = 2: α = 2 / (ln(10/4) + ln(5/4))
    expect(hillTailIndex([-5, 1, 10, -2, 4], 2)).toBeCloseTo(2 / (Math.log(2.5) + Math.log(1.25)), 12);
    expect(hillTailIndex([8, 4, 2, 1], 1)).toBeCloseTo(1 / Math.log(2), 12);
    expect(() => hillTailIndex([1, 2], 2)).toThrow(RangeError);
  });

  it('autocorrelation', () => {
    // x − x̄ = −1.5, −0.5, 0.5, 1.5; Σd² = 5; lag 1: 0.75 − 0.25 + 0.75 = 1.25; lag 2: −0.75 − 0.75 = −1.5
    const acf = autocorrelation([1, 2, 3, 4], 3);
    expect(acf[0]).toBeCloseTo(0.25, 12);
    expect(acf[1]).toBeCloseTo(-0.3, 12);
    expect(acf[2]).toBeCloseTo(-0.45, 12); // (1.5)(−1.5) / 5
    expect(autocorrelation([1, -1, 1, -1, 1, -1], 1)[0]).toBeCloseTo(-5 / 6, 12);
  });

  it('power-law decay exponent of an ACF', () => {
    expect(powerLawDecay([1, 2 ** -0.5, 3 ** -0.5, 4 ** -0.5].map((v) => 0.3 * v))).toBeCloseTo(0.5, 12);
    expect(powerLawDecay([0.4, -0.1, 0.4 * 3 ** -1.5])).toBeCloseTo(1.5, 12); // the negative lag is left out
  });

  it('two-sample Kolmogorov–Smirnov distance', () => {
    expect(ksDistance([1, 2, 3], [2, 3, 4])).toBeCloseTo(1 / 3, 12);
    expect(ksDistance([1, 2], [1, 2])).toBe(0);
    expect(ksDistance([0, 0, 0], [5])).toBe(1);
    // F_a − F_b at 1: 1/4 − 0, at 2: 3/4 − 1/2, at 3: 1 − 1/2 (the sup), at 4: 0
    expect(ksDistance([1, 2, 2, 3], [2, 4])).toBeCloseTo(0.5, 12);
  });

  it('Wasserstein-1 distance', () => {
    expect(wasserstein1([1, 2, 3], [2, 3, 4])).toBeCloseTo(1, 12); // a shift by 1
    expect(wasserstein1([0, 0, 1], [0, 1, 1])).toBeCloseTo(1 / 3, 12); // |2/3 − 1/3| on [0, 1)
    expect(wasserstein1([0], [0, 2])).toBeCloseTo(1, 12); // |1 − 1/2| on [0, 2)
    expect(wasserstein1([3, -1], [3, -1])).toBe(0);
  });
});
