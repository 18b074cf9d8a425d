import { describe, expect, it } from 'vitest';
import { combinedCos, oneCycleAt, oneCycleSchema } from '../../src/train/one-cycle.js';

describe('one-cycle schedule (fastai fit_one_cycle)', () => {
  const schedule = oneCycleAt(oneCycleSchema.parse({ lrMax: 0.05 }));

  it('starts at lrMax/div, peaks at pctStart, ends at lrMax/divFinal, with momentum mirrored', () => {
    expect(schedule(0)).toEqual({ lr: 0.05 / 25, momentum: 0.95 });
    expect(schedule(0.25).lr).toBeCloseTo(0.05, 15);
    expect(schedule(0.25).momentum).toBeCloseTo(0.85, 15);
    expect(schedule(1)).toEqual({ lr: 0.05 / 1e4, momentum: 0.95 });
  });

  it('is halfway between the phase ends at the middle of each phase (cos(π/2) = 0)', () => {
    expect(schedule(0.125).lr).toBeCloseTo((0.002 + 0.05) / 2, 15);
    expect(schedule(0.625).lr).toBeCloseTo((0.05 + 0.000005) / 2, 15);
    expect(schedule(0.625).momentum).toBeCloseTo((0.85 + 0.95) / 2, 15);
  });

  it('computes the position inside a phase in float32, as fastai does', () => {
    // fround(0.2) / 0.25 = 0.800000011920929 (exact in float32), not 0.8.
    const t = 0.800000011920929;
    const byHand = 1 + ((1 + Math.cos(Math.PI * (1 - t))) * (10 - 1)) / 2;
    const exact64 = 1 + ((1 + Math.cos(Math.PI * (1 - 0.8))) * (10 - 1)) / 2;
    const value = combinedCos(0.25, 1, 10, 0)(0.2);
    expect(value).toBe(byHand);
    expect(value).not.toBe(exact64);
  });

  it('refuses a warm-up fraction outside (0, 1)', () => {
    expect(oneCycleSchema.safeParse({ lrMax: 1, pctStart: 1 }).success).toBe(false);
    expect(oneCycleSchema.safeParse({ lrMax: 0 }).success).toBe(false);
  });
});
