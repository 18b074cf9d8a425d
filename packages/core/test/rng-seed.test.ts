import { describe, expect, it } from 'vitest';
import { Rng, resolveSeed } from '../src/index.js';

const draws = (rng: Rng) => Array.from({ length: 4 }, () => rng.uniform());

describe('resolveSeed', () => {
  it('without a seed draws a fresh one each time and reports it, so the run can be repeated', () => {
    const seeds = Array.from({ length: 8 }, () => resolveSeed(undefined));
    const used = seeds.map((s) => s.seed as number);
    expect(new Set(used).size).toBe(8); // 8 draws from 2³¹ seeds: a collision has probability ~1e-8
    for (const s of used) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 31).toBe(true);
    const { rng, seed } = seeds[0]!;
    expect(draws(rng)).toEqual(draws(Rng.seeded(seed!)));
    expect(draws(seeds[1]!.rng)).not.toEqual(draws(seeds[2]!.rng));
  });

  it('a number seeds a new Rng and is reported as given; an Rng is used as it is, with no seed to report', () => {
    const five = resolveSeed(5);
    expect(five.seed).toBe(5);
    expect(draws(five.rng)).toEqual(draws(Rng.seeded(5)));
    expect(resolveSeed(0).seed).toBe(0);
    const own = Rng.seeded(9);
    expect(resolveSeed(own)).toEqual({ rng: own, seed: undefined });
    expect(() => resolveSeed(Number.NaN)).toThrow(RangeError);
  });
});
