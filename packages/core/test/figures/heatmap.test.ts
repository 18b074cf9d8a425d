import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { heatmap } from '../../src/figures/heatmap.js';
import { marksOf, Pixels, svgSize, textsOf } from './pixels.js';

// 2 rows × 3 columns on the exact black → white ramp over [0, 1]: byte = round(255 · v).
const values = Float32Array.from([0, 0.5, 1, 0.25, 0.75, 1]);
const bytes = [0, 128, 255, 64, 191, 255];

describe('heatmap', () => {
  it('paints each cell as a block of whole pixels, row 0 at the top', async () => {
    const figure = heatmap({ values, rows: 2, cols: 3, colorScheme: 'gray', domain: [0, 1], axes: false, colorbar: false });
    // ⌊320 / 3⌋ = 106 pixels per cell: a 318 × 212 plot inside the 8-pixel padding
    const png = new Pixels(await figure.toPng({ scale: 1 }));
    expect([png.width, png.height]).toEqual([318 + 16, 212 + 16]);
    for (let row = 0; row < 2; row++) {
      for (let col = 0; col < 3; col++) {
        const v = bytes[row * 3 + col]!;
        const [x0, y0] = [8 + col * 106, 8 + row * 106];
        for (const [x, y] of [[x0, y0], [x0 + 105, y0 + 105], [x0 + 53, y0 + 17]] as const) expect(png.rgb(x, y)).toEqual([v, v, v]);
      }
    }
    expect(png.rgb(7, 7)).toEqual([255, 255, 255]);
    expect(png.rgb(8 + 318, 8)).toEqual([255, 255, 255]);
  });

  it("draws row 0 at the bottom with origin 'bottom', and uses Vega's viridis end colours", async () => {
    const png = new Pixels(await heatmap({ values, rows: 2, cols: 3, domain: [0, 1], axes: false, colorbar: false, origin: 'bottom', width: 3, height: 2 }).toPng({ scale: 1 }));
    // viridis runs from #440154 to #fde725 (matplotlib's and Vega's)
    expect(png.rgb(8, 9)).toEqual([0x44, 0x01, 0x54]);
    expect(png.rgb(10, 9)).toEqual([0xfd, 0xe7, 0x25]);
    expect(png.rgb(10, 8)).toEqual([0xfd, 0xe7, 0x25]);
  });

  it('has axes with titles and a colour bar (a gradient legend) when asked', async () => {
    const svg = await heatmap({ values, rows: 2, cols: 3, xLabel: 'time', yLabel: 'level', valueLabel: 'depth', title: 'Depth' }).toSvg();
    expect(marksOf(svg, 'image', 'image')).toBe(1);
    expect(textsOf(svg, 'axis-title').sort()).toEqual(['level', 'time']);
    expect(textsOf(svg, 'legend-title')).toEqual(['depth']);
    expect(svg).toContain('<linearGradient');
    const bare = await heatmap({ values, rows: 2, cols: 3, axes: false, colorbar: false, width: 30, height: 20 }).toSvg();
    expect(bare).not.toContain('role-axis');
    expect(bare).not.toContain('<linearGradient');
    expect(svgSize(bare)).toEqual({ width: 46, height: 36 });
  });

  it('checks values against rows × cols and refuses NaN', () => {
    expect(() => heatmap({ values, rows: 3, cols: 3 })).toThrow(/values: has 6 values but rows × cols = 3 × 3 = 9/);
    expect(() => heatmap({ values, rows: 2, cols: 0 })).toThrow(ConfigError);
    expect(() => heatmap({ values: [1, NaN], rows: 1, cols: 2 })).toThrow(/values\.1: must be a finite number/);
    expect(() => heatmap({ values, rows: 2, cols: 3, domain: [1, 1] })).toThrow(/domain: must be \[low, high\] with low < high/);
  });
});
