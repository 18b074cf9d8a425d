import { describe, expect, it } from 'vitest';
import { EntropyRateBuffer, entropyBins, estimateEntropyProfile, linspaceFloat32, searchSortedLeft } from '../../src/diffusion/index.js';

describe('entropy-rate profile', () => {
  it('bins: K log-spaced edges from σ_min to σ_max and geometric midpoints', () => {
    const { edges, sigmas } = entropyBins(4, 0.01, 100);
    expect(Array.from(edges).map((e) => Number(e.toPrecision(5)))).toEqual([0.01, 0.1, 1, 10, 100]);
    expect(Array.from(sigmas).map((s) => Number(s.toPrecision(5)))).toEqual([0.031623, 0.31623, 3.1623, 31.623]);
    expect(Array.from(linspaceFloat32(0, 1, 5))).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(searchSortedLeft([1, 2, 2, 3], 2)).toBe(1);
    expect(searchSortedLeft([1, 2, 2, 3], 4)).toBe(4);
  });

  it('pdf ∝ r(σ_k)·(mean rate_k)^p with rate = metric/σ², empty bins 0, last CDF entry 1', () => {
    // Bins [0.01, 0.1), [0.1, 1), [1, 10), [10, 100]: two pairs in bin 1 (rates 4 and 12 → mean 8), one in bin 2
    // (rate 2), none in bins 0 and 3. Without a regulariser and with p = 1: pdf = [0, 8, 2, 0]/10.
    const sigmas = [0.5, 0.5, 2];
    const metrics = [4 * 0.25, 12 * 0.25, 2 * 4];
    const p = estimateEntropyProfile(sigmas, metrics, { bins: 4, sigmaMin: 0.01, sigmaMax: 100, power: 1 });
    expect(Array.from(p.pdf).map((v) => Number(v.toFixed(6)))).toEqual([0, 0.8, 0.2, 0]);
    expect(Array.from(p.cdf).map((v) => Number(v.toFixed(6)))).toEqual([0, 0.8, 1, 1]);
    // p = 0.5 and the regulariser x/(1 + x), x = (σ/c)^n: weights √8·r(σ₁) and √2·r(σ₂).
    const r = (s: number) => (s / 0.1) ** 3 / (1 + (s / 0.1) ** 3);
    const q = estimateEntropyProfile(sigmas, metrics, { bins: 4, sigmaMin: 0.01, sigmaMax: 100, power: 0.5, regularizer: { c: 0.1, n: 3 } });
    const [s1, s2] = [Math.sqrt(0.1 * 1), Math.sqrt(1 * 10)];
    const u1 = r(s1) * Math.sqrt(8);
    const u2 = r(s2) * Math.sqrt(2);
    expect(q.pdf[1]).toBeCloseTo(u1 / (u1 + u2), 6);
    expect(q.pdf[2]).toBeCloseTo(u2 / (u1 + u2), 6);
  });

  it('drops non-finite pairs, clamps σ into range, and falls back to uniform without mass', () => {
    const p = estimateEntropyProfile([Number.NaN, 1e-9, 5], [1, 0, Infinity], { bins: 2, sigmaMin: 0.1, sigmaMax: 10 });
    expect(Array.from(p.pdf)).toEqual([0.5, 0.5]);
  });

  it('the FIFO keeps the newest pairs, oldest first, and round-trips its state', () => {
    const buffer = new EntropyRateBuffer(3);
    buffer.push([1, 2], [10, 20]);
    buffer.push([3, 4], [30, 40]);
    expect(Array.from(buffer.pairs().sigmas)).toEqual([2, 3, 4]);
    const restored = EntropyRateBuffer.fromState(buffer.state());
    expect(Array.from(restored.pairs().metrics)).toEqual([20, 30, 40]);
    expect(() => EntropyRateBuffer.fromState({ capacity: 2, sigmas: [1, 2, 3], metrics: [1, 2, 3] })).toThrow(/entropy buffer state/);
  });
});
