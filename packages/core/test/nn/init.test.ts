import { beforeAll, describe, expect, it } from 'vitest';
import { Embedding, Linear, Rng, truncatedNormalInit, withoutInit } from '../../src/index.js';
import { useBackend } from '../helpers/backends.js';

describe('initialisers', () => {
  beforeAll(async () => useBackend('cpu'));

  // torch.nn.init.trunc_normal_(t, mean, std, a=-2, b=2) cuts at the absolute values a and b. Moments of N(μ, σ²)
  // restricted to [a, b], with α = (a − μ)/σ, β = (b − μ)/σ, Z = Φ(β) − Φ(α), computed by hand from
  //   E = μ + σ·(φ(α) − φ(β))/Z,   Var = σ²·[1 + (α·φ(α) − β·φ(β))/Z − ((φ(α) − φ(β))/Z)²].
  const moments = (values: Float32Array) => {
    let sum = 0;
    for (const v of values) sum += v;
    const mean = sum / values.length;
    let squares = 0;
    for (const v of values) squares += (v - mean) ** 2;
    return { mean, variance: squares / values.length, min: Math.min(...values), max: Math.max(...values) };
  };
  const draw = (std: number, options: Parameters<typeof truncatedNormalInit>[3] = {}) => {
    const tensor = truncatedNormalInit([20_000], Rng.seeded(3), std, options);
    const values = tensor.dataSync() as Float32Array;
    tensor.dispose();
    return moments(values);
  };

  it('truncated normal cuts at the absolute bounds ±2 (torch/timm), not at ±2 std', () => {
    // std 2: the cut at ±2 is ±1σ, α = −1, β = 1: Var = 4·(1 − 2φ(1)/(2Φ(1) − 1)) = 4·0.29113 = 1.1645.
    const wide = draw(2);
    expect(wide.min).toBeGreaterThanOrEqual(-2);
    expect(wide.max).toBeLessThanOrEqual(2);
    expect(wide.max).toBeGreaterThan(1.9);
    expect(Math.abs(wide.mean)).toBeLessThan(0.02);
    expect(wide.variance / 1.1645).toBeCloseTo(1, 1);
    // std 0.5: the cut is at ±4σ, so nearly nothing is cut: Var = 0.24973 (a ±2σ cut would give 0.7737·0.25).
    const narrow = draw(0.5);
    expect(narrow.variance / 0.24973).toBeCloseTo(1, 1);
    expect(Math.min(narrow.min, -narrow.max)).toBeLessThan(-1.5);
  });

  it('truncated normal with a mean and explicit bounds: N(1, 1) on [−2, 2] has E = 0.71721, Var = 0.61614', () => {
    const shifted = draw(1, { mean: 1, a: -2, b: 2 });
    expect(shifted.min).toBeGreaterThanOrEqual(-2);
    expect(shifted.max).toBeLessThanOrEqual(2);
    expect(shifted.mean).toBeCloseTo(0.71721, 1);
    expect(shifted.variance / 0.61614).toBeCloseTo(1, 1);
    expect(() => truncatedNormalInit([4], Rng.seeded(1), 1, { a: 1, b: -1 })).toThrow(RangeError);
    expect(() => truncatedNormalInit([4], Rng.seeded(1), 1, { mean: 0, a: 40, b: 41 })).toThrow(/almost none/);
  });

  it('withoutInit builds zero-filled parameters without advancing the Rng, and only inside its callback', () => {
    const rng = Rng.seeded(7);
    const skipped = withoutInit(() => [new Linear(4, 3, { rng }), new Embedding(5, 2, { rng })] as const);
    for (const module of skipped) {
      for (const [, p] of module.namedParameters()) expect(Array.from(p.dataSync()).every((v) => v === 0)).toBe(true);
    }
    const drawn = new Linear(4, 3, { rng });
    const fresh = new Linear(4, 3, { rng: Rng.seeded(7) });
    expect(Array.from(drawn.namedParameters()[0]![1].dataSync())).toEqual(Array.from(fresh.namedParameters()[0]![1].dataSync()));
    expect(drawn.namedParameters()[0]![1].dataSync().some((v) => v !== 0)).toBe(true);
    expect(() => withoutInit(() => { throw new RangeError('bad build'); })).toThrow('bad build');
    const after = new Linear(2, 2, { rng });
    expect(after.namedParameters()[0]![1].dataSync().some((v) => v !== 0)).toBe(true);
    after.dispose();
    for (const m of [...skipped, drawn, fresh]) m.dispose();
  });
});
