import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng, mixedTrainingSigmas } from '@nextx/core';
import { cobitCfgSchema } from '../../src/cobit/config.js';
import { entropyOptionsFromCfg } from '../../src/cobit/entropy-controller.js';

const fixtureCfg = JSON.parse(readFileSync(new URL('../fixtures/cobit-tiny-a/config.json', import.meta.url), 'utf8')).cfg;

describe('cfg.train.sigma_sampling_strategy', () => {
  it("the fixture's log-normal and the official default log-uniform both set the base σ draw", () => {
    const cfg = (strategy: string) => cobitCfgSchema.parse({ ...fixtureCfg, train: { ...fixtureCfg.train, sigma_sampling_strategy: strategy } });
    const normal = entropyOptionsFromCfg(cfg('log-normal'));
    const uniform = entropyOptionsFromCfg(cfg('log-uniform'));
    expect(normal.base).toMatchObject({ strategy: 'log-normal', pMean: fixtureCfg.diffusion.continuous.p_mean });
    expect(uniform.base).toEqual({ strategy: 'log-uniform', sigmaMin: fixtureCfg.diffusion.continuous.sigma_min, sigmaMax: fixtureCfg.diffusion.continuous.sigma_max });
    // Before the profile mixes in, training σ are log-uniform: ln σ evenly over [ln σ_min, ln σ_max].
    const sigmas = mixedTrainingSigmas(20_000, 0, { base: uniform.base, mixture: uniform.mixture }, Rng.seeded(1));
    const lo = Math.log(uniform.base.sigmaMin);
    const hi = Math.log(uniform.base.sigmaMax);
    const belowMiddle = sigmas.filter((s) => Math.log(s) < (lo + hi) / 2).length / sigmas.length;
    expect(belowMiddle).toBeGreaterThan(0.48);
    expect(belowMiddle).toBeLessThan(0.52);
    expect(() => cfg('entropy')).toThrow();
  });
});
