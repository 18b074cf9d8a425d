import { describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { initBackend } from '../../src/backend/index.js';
import { edmInputScale, edmLossWeight, edmPreconditioning, matchedFilterLogits } from '../../src/diffusion/index.js';
import { churnGammas, entropicBlendSigmas, entropicSigmas, entropyChurnWindow, entropyQuantile, karrasLevels } from '../../src/sampling/diffusion/index.js';

// A profile with uniform mass over midpoints 1, 2, 3, 4: its CDF is [0.25, 0.5, 0.75, 1], linear in σ.
const uniform = { pdf: Float32Array.of(0.25, 0.25, 0.25, 0.25), cdf: Float32Array.of(0.25, 0.5, 0.75, 1), sigmas: Float32Array.of(1, 2, 3, 4), edges: Float32Array.of(0.5, 1.5, 2.5, 3.5, 4.5) };

describe('EDM preconditioning and the matched filter', () => {
  it('c_in, c_skip, c_out, c_noise and λ at σ = 0.5 and 2 with σ_data = 0.5', async () => {
    await initBackend({ prefer: 'cpu' });
    const sigma = tf.tensor1d([0.5, 2]);
    const f = edmPreconditioning(sigma, 0.5);
    const cIn = f.cIn.dataSync();
    expect(cIn[0]).toBeCloseTo(1 / Math.sqrt(0.5), 6);
    expect(cIn[1]).toBeCloseTo(1 / Math.sqrt(4.25), 6);
    expect(f.cSkip.dataSync()[0]).toBeCloseTo(0.5, 6);
    expect(f.cOut.dataSync()[1]).toBeCloseTo(1 / Math.sqrt(4.25), 6);
    expect(f.cNoise.dataSync()[1]).toBeCloseTo(Math.log(2) / 4, 6);
    expect(edmInputScale(sigma, 0.5).dataSync()[1]).toBeCloseTo(1 / Math.sqrt(4.25), 6);
    expect(Array.from(edmLossWeight(sigma, 0.5).dataSync())).toEqual([8, 4.25]);
    // (x − ½)/σ², clamped: x = 1 at σ = 0.1 → 50 → 30.
    const mf = matchedFilterLogits(tf.tensor2d([[1, 0, 0.75]]), tf.tensor2d([[0.1]]), { clip: 30 });
    expect(Array.from(mf.dataSync()).map((v) => Number(v.toFixed(4)))).toEqual([30, -30, 25]);
    tf.dispose([sigma, f.cIn, f.cSkip, f.cOut, f.cNoise, mf]);
  });
});

describe('entropy-profile schedules', () => {
  it('entropic levels are uniform in the CDF between the ends (here linear in σ), top capped at the largest midpoint', () => {
    // CDF(σ) = σ/4 on [1, 4]: F(1.5) = 0.375, F(4) = 1 → u_j = 0.375 + j·0.625/5, σ = 4u.
    const levels = entropicSigmas(uniform, 6, { sigmaMin: 1.5, sigmaMax: 80 });
    expect(Array.from(levels).map((s) => Number(s.toFixed(6)))).toEqual([4, 3.5, 3, 2.5, 2, 1.5]);
    // σ_min below the table: the bottom is its smallest midpoint.
    expect(entropicSigmas(uniform, 3, { sigmaMin: 0.1, sigmaMax: 80 })[2]).toBe(1);
  });

  it('Karras ends exactly at σ_max and σ_min; the blend mixes the untruncated Karras levels', () => {
    const k = karrasLevels(5, { sigmaMin: 0.08, sigmaMax: 80 }, 7);
    expect([k[0], k[4]]).toEqual([80, 0.08]);
    const mid = (80 ** (1 / 7) + 0.5 * (0.08 ** (1 / 7) - 80 ** (1 / 7))) ** 7;
    expect(k[2]).toBeCloseTo(mid, 10);
    const blend = entropicBlendSigmas(uniform, 5, { sigmaMin: 1.5, sigmaMax: 80 }, 0.25);
    expect(blend[0]).toBeCloseTo(0.75 * 4 + 0.25 * 80, 10);
  });

  it('quantiles interpolate linearly in σ; the churn window clamps them and γ_i = min(S_churn/(N−1), √2−1) inside it', () => {
    expect([0, 0.25, 0.5, 0.6, 1].map((q) => entropyQuantile(uniform, q))).toEqual([1, 1, 2, 2.4, 4]);
    const window = entropyChurnWindow(uniform, [0.5, 0.75], { sigmaMin: 0.08, sigmaMax: 80 }, 0.6);
    expect(window).toEqual({ enabled: true, sTmin: 2, sTmax: 3 });
    expect(Array.from(churnGammas([4, 3, 2.5, 2, 1], 0.6, window))).toEqual([0, 0.15, 0.15, 0.15]);
    expect(Array.from(churnGammas([4, 3, 1], 10, window))[1]).toBeCloseTo(Math.SQRT2 - 1, 12);
    expect(entropyChurnWindow(uniform, [0, 1], { sigmaMin: 0.08, sigmaMax: 80 }, 0).enabled).toBe(false);
  });
});
