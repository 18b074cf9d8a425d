import { describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../src/errors.js';
import { binCounts, binEdges, histogram } from '../../src/figures/histogram.js';
import { marksOf, textsOf } from './pixels.js';

describe('histogram', () => {
  it('bins on equal widths, or on equal ratios for a log x axis', () => {
    expect(binEdges(0, 10, 5, false)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(binEdges(1, 1000, 3, true).map((e) => Number(e.toPrecision(12)))).toEqual([1, 10, 100, 1000]);
    // [e_i, e_i+1), the last bin closed; values outside are not counted
    expect(binCounts([0, 1.9, 2, 3, 9.99, 10, 10.5, -1], [0, 2, 4, 6, 8, 10])).toEqual([2, 2, 0, 0, 2]);
    expect(binEdges(3, 3, 2, false)).toEqual([2.5, 3, 3.5]);
  });

  it('draws one bar per bin, leaves empty bins out on a log count axis, and titles the axes', async () => {
    const values = [1, 1, 1, 2, 4, 4];
    const linear = await histogram({ values, bins: 3, xLabel: 'gap' }).toSvg();
    expect(marksOf(linear, 'rect', 'path')).toBe(3);
    expect(textsOf(linear, 'axis-title').sort()).toEqual(['count', 'gap']);
    const log = await histogram({ values: [1, 1, 1, 4, 4], bins: 3, logY: true }).toSvg();
    expect(marksOf(log, 'rect', 'path')).toBe(2); // [2, 3) is empty
  });

  it('overlays series on shared bins, with densities that integrate to 1', async () => {
    const a = [1, 2, 3, 4];
    const b = [10, 20, 30, 40, 50, 60, 70, 80];
    const spec = (await histogram({ series: [{ name: 'a', values: a }, { name: 'b', values: b }], bins: 4, logX: true, density: true }).toVegaLite()) as unknown as {
      data: { values: { s: string; lo: number; hi: number; y: number }[] };
    };
    const bars = spec.data.values;
    expect(bars).toHaveLength(8);
    for (const name of ['a', 'b']) {
      const area = bars.filter((bar) => bar.s === name).reduce((sum, bar) => sum + bar.y * (bar.hi - bar.lo), 0);
      expect(area).toBeCloseTo(1, 12);
    }
    expect(bars[0]!.lo).toBe(1);
    expect(bars[3]!.hi).toBeCloseTo(80, 10);
  });

  it('refuses non-positive values on a log x axis, NaN, no data, and a range that holds no value', () => {
    const fail = (options: unknown) => {
      try {
        histogram(options as Parameters<typeof histogram>[0]);
      } catch (error) {
        return error as Error;
      }
      throw new Error('accepted');
    };
    const negative = fail({ values: [0.1, 2, -0.5], logX: true });
    expect(negative).toBeInstanceOf(ConfigError);
    expect(negative.message).toMatch(/values\.2: a log x axis needs positive values; got -0\.5/);
    expect(fail({ series: [{ name: 'r', values: [1, 0] }], logX: true }).message).toMatch(/series\.0\.values\.1: a log x axis needs positive values; got 0/);
    expect(fail({ values: [1, 2], logX: true, range: [0, 2] }).message).toMatch(/range\.0: a log x axis needs a positive range/);
    expect(fail({ values: [1, NaN] }).message).toMatch(/values\.1: must be a finite number/);
    expect(fail({}).message).toMatch(/give either values or series/);
    expect(fail({ values: [] }).message).toMatch(/values: is empty/);
    const outside = fail({ values: [5, 6], range: [0, 1] });
    expect(outside).toBeInstanceOf(InputError);
    expect(outside.message).toMatch(/no value lies inside the range \[0, 1\]/);
  });
});
