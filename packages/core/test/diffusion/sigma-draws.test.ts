import { describe, expect, it } from 'vitest';
import { baseSigmas, logNormalSigmas, logUniformSigmas, mixedTrainingSigmas, profileShare, profileSigmasFromUniforms } from '../../src/diffusion/index.js';
import { Rng } from '../../src/rng/rng.js';

describe('training σ draws', () => {
  it("log-uniform (the official 'log-uniform' strategy): σ_min at u = 0, σ_max at u → 1, the geometric mean at u = ½", () => {
    const range = { sigmaMin: 0.002, sigmaMax: 80 };
    const got = logUniformSigmas(3, range, () => [0, 0.5, 1]);
    expect(got[0]).toBeCloseTo(0.002, 9);
    expect(got[1]).toBeCloseTo(Math.sqrt(0.002 * 80), 5);
    expect(got[2]).toBeCloseTo(80, 3);
    // Drawn from an Rng: inside the range, ln σ spread evenly (mean of ln σ at the middle of the log range).
    const drawn = baseSigmas(20_000, { strategy: 'log-uniform', ...range }, Rng.seeded(3));
    expect(Math.min(...drawn)).toBeGreaterThanOrEqual(0.002 * (1 - 1e-6));
    expect(Math.max(...drawn)).toBeLessThanOrEqual(80 * (1 + 1e-6));
    const meanLog = drawn.reduce((a, v) => a + Math.log(v), 0) / drawn.length;
    expect(meanLog).toBeCloseTo((Math.log(0.002) + Math.log(80)) / 2, 1);
    // The log-normal base is the default strategy and draws what logNormalSigmas draws.
    const ln = { pMean: -1.2, pStd: 1.2, ...range };
    expect(Array.from(baseSigmas(8, ln, Rng.seeded(5)))).toEqual(Array.from(logNormalSigmas(8, ln, (n) => Rng.seeded(5).fillNormal(new Float32Array(n)))));
  });

  it('log-normal: rejected slots are redrawn, in slot order, from a vector as long as the rejections', () => {
    const calls: number[] = [];
    const draws = [[0, 10, -1, -10], [1, 20], [2]];
    let n = 0;
    const sigmas = logNormalSigmas(4, { pMean: 0, pStd: 1, sigmaMin: 0.01, sigmaMax: 50 }, (count) => {
      calls.push(count);
      return draws[n++] as number[];
    });
    // e^10 and e^−10 are out of range; the redraw [1, 20] fixes slot 1 and rejects slot 3 again, fixed by [2].
    expect(calls).toEqual([4, 2, 1]);
    expect(Array.from(sigmas).map((s) => Number(s.toPrecision(6)))).toEqual([1, 2.71828, 0.367879, 7.38906]);
  });

  it('profile σ: the first bin whose CDF reaches u₁, log-uniform inside it by u₂', () => {
    const profile = { pdf: Float32Array.of(0, 0.25, 0.75), cdf: Float32Array.of(0, 0.25, 1), sigmas: Float32Array.of(0.03, 0.3, 3), edges: Float32Array.of(0.01, 0.1, 1, 10) };
    const sigmas = profileSigmasFromUniforms(profile, [0, 0.2, 0.25, 0.9], [0.5, 0, 0.5, 1], { sigmaMin: 0.01, sigmaMax: 10 });
    // u₁ = 0 picks bin 0 (its mass is 0, as officially); 0.2 and 0.25 bin 1; 0.9 bin 2.
    expect(Array.from(sigmas).map((s) => Number(s.toPrecision(5)))).toEqual([0.031623, 0.1, 0.31623, 10]);
  });

  it('the profile share ramps from 0 after the warm-up to γ_max', () => {
    const mixture = { warmupSteps: 10, transitionSteps: 10, gammaMax: 0.8 };
    expect([0, 9, 10, 15, 20, 100].map((s) => profileShare(s, mixture))).toEqual([0, 0, 0, 0.4, 0.8, 0.8]);
    const profile = { pdf: Float32Array.of(1), cdf: Float32Array.of(1), sigmas: Float32Array.of(50), edges: Float32Array.of(40, 60) };
    const all = mixedTrainingSigmas(200, 100, { base: { pMean: -1.2, pStd: 0.01, sigmaMin: 0.002, sigmaMax: 80 }, profile, mixture: { warmupSteps: 0, transitionSteps: 1, gammaMax: 1 } }, Rng.seeded(1));
    expect(all.every((s) => s >= 40 && s <= 60)).toBe(true);
    const none = mixedTrainingSigmas(200, 5, { base: { pMean: -1.2, pStd: 0.01, sigmaMin: 0.002, sigmaMax: 80 }, profile, mixture }, Rng.seeded(1));
    expect(none.every((s) => Math.abs(Math.log(s) + 1.2) < 0.1)).toBe(true);
  });
});
