import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { linePlot } from '../../src/figures/line-plot.js';
import { trainingCurve } from '../../src/figures/training-curve.js';
import { marksOf, Pixels, plotOrigin, svgSize, textsOf } from './pixels.js';

const steps = [1, 2, 3, 4, 5, 6];

describe('linePlot', () => {
  it('draws one line per series, a band as an area, the axis titles and a legend of the series', async () => {
    const svg = await linePlot({
      title: 'Forecast',
      series: [
        { name: 'history', x: steps, y: [3, 2, 4, 3, 5, 4] },
        { name: 'median', x: steps, y: [4, 4, 4, 4, 4, 4], band: [{ lo: [2, 2, 2, 2, 2, 2], hi: [6, 6, 6, 6, 6, 6] }, { lo: [3, 3, 3, 3, 3, 3], hi: [5, 5, 5, 5, 5, 5] }] },
        { name: 'naive', x: steps, y: [1, 1, 1, 1, 1, 1], dashed: true },
      ],
      xLabel: 'step',
      yLabel: 'value',
    }).toSvg();
    expect(marksOf(svg, 'line', 'path')).toBe(3);
    expect(marksOf(svg, 'area', 'path')).toBe(2);
    expect(textsOf(svg, 'axis-title').sort()).toEqual(['step', 'value']);
    expect(textsOf(svg, 'legend-label')).toEqual(['history', 'median', 'naive']);
    expect(textsOf(svg, 'title-text')).toEqual(['Forecast']);
    expect(svg).toContain('font-family="DejaVu Sans, sans-serif"');
  });

  it('has no legend for one series, and none for series left out of it', async () => {
    const one = await linePlot({ series: [{ name: 'a', y: [1, 2] }] }).toSvg();
    expect(one).not.toContain('role-legend');
    const curves = await trainingCurve({ series: [{ name: 'train', y: [4, 3, 2] }, { name: 'eval', y: [5, 4, 3] }] }).toSvg();
    expect(marksOf(curves, 'line', 'path')).toBe(4);
    expect(textsOf(curves, 'legend-label')).toEqual(['train', 'eval']);
  });

  it('renders a PNG of the requested scale with ink on the line and on the axes, and none elsewhere in the plot', async () => {
    const width = 200;
    const height = 100;
    const figure = linePlot({ series: [{ name: 'flat', x: [0, 10], y: [1, 1] }], yDomain: [0, 2], width, height, xLabel: 'x' });
    const svg = await figure.toSvg();
    const size = svgSize(svg);
    const origin = plotOrigin(svg);
    const png = new Pixels(await figure.toPng({ scale: 2 }));
    expect([png.width, png.height]).toEqual([size.width * 2, size.height * 2]);
    // In PNG pixels: the plot spans [2·ox, 2·(ox + width)) × [2·oy, 2·(oy + height)); y = 1 of [0, 2] is its middle.
    const [left, top] = [origin.x * 2, origin.y * 2];
    const lineY = top + height; // 2 · height / 2
    let inked = 0;
    for (let x = left + 4; x < left + 2 * width - 4; x++) if (png.inkIn(x, lineY - 2, x + 1, lineY + 3) > 0) inked++;
    expect(inked).toBe(2 * width - 8);
    expect(png.inkIn(left + 4, top + 4, left + 2 * width - 4, lineY - 6)).toBe(0);
    expect(png.inkIn(left + 4, lineY + 6, left + 2 * width - 4, top + 2 * height - 4)).toBe(0);
    // the y axis line, its tick labels to its left, and the x axis title under the plot
    expect(png.inkIn(left - 2, top + 10, left + 2, top + 2 * height - 10)).toBeGreaterThan(2 * height - 40);
    expect(png.inkIn(0, top, left - 10, top + 2 * height)).toBeGreaterThan(50);
    expect(png.inkIn(left, top + 2 * height + 40, left + 2 * width, png.height)).toBeGreaterThan(20);
  });

  it('refuses values a log axis cannot show, naming the series and the index', () => {
    const attempt = (options: Parameters<typeof linePlot>[0]) => {
      try {
        linePlot(options);
      } catch (error) {
        return error as ConfigError;
      }
      throw new Error('accepted');
    };
    const zero = attempt({ series: [{ name: 'loss', y: [1, 0.5, 0, 0.2] }], logY: true });
    expect(zero).toBeInstanceOf(ConfigError);
    expect(zero.path).toEqual(['series', 0, 'y', 2]);
    expect(zero.message).toMatch(/series\.0\.y\.2: a log y axis needs positive values; got 0/);
    expect(attempt({ series: [{ name: 'a', y: [1, 2] }, { name: 'b', x: [1, -2], y: [1, 2] }], logX: true }).path).toEqual(['series', 0, 'x']);
    expect(attempt({ series: [{ name: 'b', x: [1, -2], y: [1, 2] }], logX: true }).path).toEqual(['series', 0, 'x', 1]);
    expect(attempt({ series: [{ name: 'f', y: [1, 2], band: { lo: [0, 1], hi: [2, 3] } }], logY: true }).path).toEqual(['series', 0, 'band', 'lo', 0]);
  });

  it('refuses empty series, NaN, mismatched lengths, crossed bands and repeated names', () => {
    const message = (options: unknown) => {
      try {
        linePlot(options as Parameters<typeof linePlot>[0]);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(message({ series: [] })).toMatch(/series: needs at least one series/);
    expect(message({ series: [{ name: 'a', y: [] }] })).toMatch(/series\.0\.y: is empty/);
    expect(message({ series: [{ name: 'a', y: new Float32Array([1, NaN]) }] })).toMatch(/series\.0\.y\.1: must be a finite number; got "NaN"/);
    expect(message({ series: [{ name: 'a', y: [1, Infinity] }] })).toMatch(/series\.0\.y\.1: must be a finite number/);
    expect(message({ series: [{ name: 'a', x: [1, 2, 3], y: [1, 2] }] })).toMatch(/series\.0\.x: has 3 values but y has 2/);
    expect(message({ series: [{ name: 'a', y: [1, 2], band: [{ lo: [1], hi: [2, 3] }] }] })).toMatch(/series\.0\.band\.0\.lo: has 1 values but y has 2/);
    expect(message({ series: [{ name: 'a', y: [1, 2], band: { lo: [1, 3], hi: [2, 2.5] } }] })).toMatch(/series\.0\.band\.lo\.1: is above hi \(2\.5\)/);
    expect(message({ series: [{ name: 'a', y: [1] }, { name: 'a', y: [2] }] })).toMatch(/series\.1\.name: series name 'a' is used twice/);
    expect(message({ series: [{ name: 'a', y: 'oops' }] })).toMatch(/series\.0\.y: must be an array or typed array of numbers/);
  });
});
