import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { Figure, writeFigure } from '../../src/figures/figure.js';
import { heatmap } from '../../src/figures/heatmap.js';
import { histogram } from '../../src/figures/histogram.js';
import { linePlot } from '../../src/figures/line-plot.js';
import { panels } from '../../src/figures/panels.js';
import { marksOf, Pixels, svgSize, textsOf } from './pixels.js';

const out = mkdtempSync(join(tmpdir(), 'nextx-figures-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const line = () => linePlot({ title: 'curve', series: [{ name: 'a', y: [1, 2, 3] }], width: 100, height: 60 });
const bars = () => histogram({ title: 'counts', values: [1, 2, 2, 3], bins: 3, width: 100, height: 60 });
const map = () => heatmap({ title: 'map', values: [0, 1, 2, 3], rows: 2, cols: 2, colorScheme: 'magma', width: 60, height: 60 });

describe('panels', () => {
  it('holds every panel with its own title, marks and colour bar, `columns` to a row', async () => {
    const figure = panels([line(), bars(), map()], { columns: 2, title: 'Report' });
    const svg = await figure.toSvg();
    expect(textsOf(svg, 'title-text').sort()).toEqual(['Report', 'counts', 'curve', 'map']);
    expect(marksOf(svg, 'line', 'path')).toBe(1);
    expect(marksOf(svg, 'rect', 'path')).toBe(3);
    expect(marksOf(svg, 'image', 'image')).toBe(1);
    expect(svg).toContain('<linearGradient');
    // two in a row are wider and less tall than three in a row
    const row = svgSize(await panels([line(), bars(), map()]).toSvg());
    const grid = svgSize(svg);
    expect(row.width).toBeGreaterThan(grid.width);
    expect(row.height).toBeLessThan(grid.height);
    const nested = await panels([figure, line()]).toSvg();
    expect(textsOf(nested, 'title-text').sort()).toEqual(['Report', 'counts', 'curve', 'curve', 'map']);
  });

  it('refuses an empty list and things that are not figures', () => {
    expect(() => panels([])).toThrow(/needs at least one figure/);
    expect(() => panels([line(), {} as Figure])).toThrow(/1: must be a Figure/);
  });
});

describe('writeFigure', () => {
  it('writes SVG or PNG as the extension says, atomically (no temporary file left)', async () => {
    const svgPath = await writeFigure(join(out, 'a', 'plot.svg'), line());
    expect(readFileSync(svgPath, 'utf8')).toMatch(/^<svg /);
    const pngPath = await line().write(join(out, 'a', 'plot.PNG'), { scale: 1 });
    const png = new Pixels(readFileSync(pngPath));
    expect([png.width, png.height]).toEqual([svgSize(readFileSync(svgPath, 'utf8')).width, svgSize(readFileSync(svgPath, 'utf8')).height]);
    expect(readdirSync(join(out, 'a')).sort()).toEqual(['plot.PNG', 'plot.svg']);
  });

  it('refuses other extensions and bad PNG options before rendering', async () => {
    await expect(writeFigure(join(out, 'plot.jpg'), line())).rejects.toThrow(InputError);
    await expect(writeFigure(join(out, 'plot'), line())).rejects.toThrow(/ends in '\(no extension\)'/);
    await expect(line().toPng({ scale: 0 })).rejects.toThrow(/scale/);
  });

  it('takes a Vega-Lite spec of its own and renders it with the theme', async () => {
    const figure = Figure.fromVegaLite({ data: { values: [{ a: 1 }, { a: 2 }] }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } });
    const spec = (await figure.toVegaLite()) as unknown as { config: { font: string } };
    expect(spec.config.font).toBe('DejaVu Sans, sans-serif');
    expect(marksOf(await figure.toSvg(), 'symbol', 'path')).toBe(2);
  });
});
