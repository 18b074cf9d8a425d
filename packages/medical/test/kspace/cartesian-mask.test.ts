import { describe, expect, it } from 'vitest';
import { ConfigError, InputError, Rng } from '@nextx/core';
import { centerColumns, effectiveAcceleration, nestedMasks, roundHalfEven, sampleMask, sampledColumns, type MaskKind } from '../../src/index.js';
import { reference } from '../helpers/fastmri-reference.js';

describe('Cartesian masks', () => {
  it("equal fastMRI's equispaced masks and centre masks (fixture made by fastMRI's MaskFuncs)", () => {
    for (const c of reference.masks) {
      if (c.kind === 'random-centre') {
        const centre = centerColumns(c.numCols, roundHalfEven(c.numCols * c.centerFraction));
        expect(Array.from(centre)).toEqual(c.columns);
        continue;
      }
      const mask = sampleMask(c.numCols, { kind: c.kind as MaskKind, acceleration: c.acceleration, centerFraction: c.centerFraction, offset: c.offset }, Rng.seeded(0));
      expect(mask.numLowFrequencies).toBe(c.numLowFrequencies);
      expect(Array.from(mask.columns)).toEqual(c.columns);
    }
  });

  it.each([16, 8, 4, 2])('random masks at %i× sample W/R columns on average and always the full centre', (R) => {
    const W = 368;
    const rng = Rng.seeded(R);
    const draws = 300;
    let total = 0;
    for (let d = 0; d < draws; d++) {
      const mask = sampleMask(W, { kind: 'random', acceleration: R }, rng);
      total += sampledColumns(mask);
      const numLow = roundHalfEven((W * 0.32) / R);
      expect(mask.numLowFrequencies).toBe(numLow);
      const start = Math.floor((W - numLow + 1) / 2);
      expect(Array.from(mask.columns.subarray(start, start + numLow)).every((v) => v === 1)).toBe(true);
    }
    // Outside the centre each column is a Bernoulli draw: the mean count is W/R with sd √(Σp(1−p))/√draws.
    const numLow = roundHalfEven((W * 0.32) / R);
    const p = (W / R - numLow) / (W - numLow);
    const sd = Math.sqrt((W - numLow) * p * (1 - p) / draws);
    expect(Math.abs(total / draws - W / R)).toBeLessThan(4 * sd);
  });

  it('1× is fully sampled; equispaced-fraction realises about W/R columns', () => {
    expect(sampledColumns(sampleMask(100, { acceleration: 1 }, Rng.seeded(1)))).toBe(100);
    const mask = sampleMask(368, { kind: 'equispaced-fraction', acceleration: 4, centerFraction: 0.08 }, Rng.seeded(2));
    expect(effectiveAcceleration(mask)).toBeGreaterThan(3.6);
    expect(effectiveAcceleration(mask)).toBeLessThan(4.4);
  });

  it('nested masks: each level a subset of the next, the measured level unchanged, counts W/R', () => {
    const W = 320;
    const measured = sampleMask(W, { kind: 'random', acceleration: 8 }, Rng.seeded(3));
    const levels = [16, 8, 4, 2, 1];
    const masks = nestedMasks(measured, levels, Rng.seeded(4));
    expect(Array.from(masks[1]!.columns)).toEqual(Array.from(measured.columns));
    for (let k = 0; k + 1 < levels.length; k++) {
      const a = masks[k]!.columns;
      const b = masks[k + 1]!.columns;
      expect(a.every((v, c) => v <= (b[c] as number))).toBe(true);
    }
    expect(sampledColumns(masks[0]!)).toBe(W / 16);
    expect(sampledColumns(masks[2]!)).toBe(Math.max(W / 4, sampledColumns(measured)));
    expect(sampledColumns(masks[4]!)).toBe(W);
    // the 16× level keeps its own centre (fastMRI's 0.02·W columns) out of the measured centre
    const centre16 = centerColumns(W, roundHalfEven(W * 0.02));
    expect(centre16.every((v, c) => v <= (masks[0]!.columns[c] as number))).toBe(true);
  });

  it('rejects bad specs with errors that name them', () => {
    expect(() => sampleMask(64, { acceleration: 0.5 }, Rng.seeded(0))).toThrow(ConfigError);
    expect(() => sampleMask(64, { acceleration: 0.5 }, Rng.seeded(0))).toThrow(/acceleration/);
    expect(() => sampleMask(64, { acceleration: 8, centerFraction: 0.5 }, Rng.seeded(0))).toThrow(InputError);
    expect(() => sampleMask(0, { acceleration: 4 }, Rng.seeded(0))).toThrow(/number of columns/);
  });
});
