import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledFontFiles } from '../../src/figures/fonts.js';
import { heatmap } from '../../src/figures/heatmap.js';
import { FIGURE_PADDING, TITLE_FONT_SIZE } from '../../src/figures/theme.js';
import { Pixels } from './pixels.js';

// A white 40×200 map (gray scheme, value = top of the domain) with no axes or colour bar: the only dark pixels a
// render can have are the title's.
const figure = (title?: string) =>
  heatmap({ values: new Float32Array(40 * 200).fill(1), rows: 40, cols: 200, domain: [0, 1], colorScheme: 'gray', axes: false, colorbar: false, ...(title ? { title } : {}) });

describe('figure fonts', () => {
  it('ships TrueType files (resvg reads no WOFF)', () => {
    const files = bundledFontFiles();
    expect(files.map((f) => basename(f))).toEqual(['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf']);
    for (const file of files) expect(existsSync(file)).toBe(true);
  });

  it('draws the title with the bundled font and no system fonts, and nothing where the font is missing', async () => {
    // The title strip at scale 1: from the padding down to the bottom of the title's letters.
    const strip = (png: Pixels) => png.inkIn(FIGURE_PADDING, FIGURE_PADDING, 200, FIGURE_PADDING + TITLE_FONT_SIZE);
    const titled = new Pixels(await figure('Reconstruction error').toPng({ scale: 1 }));
    const untitled = new Pixels(await figure().toPng({ scale: 1 }));
    const noFont = new Pixels(await figure('Reconstruction error').toPng({ scale: 1, bundledFont: false }));
    expect(strip(titled)).toBeGreaterThan(150);
    expect(strip(untitled)).toBe(0);
    // Without the bundled font and without system fonts (the default), resvg has no font and draws no text at all:
    // so the ink above is the bundled font's, whatever fonts this machine has.
    expect([noFont.width, noFont.height]).toEqual([titled.width, titled.height]);
    expect(noFont.inkIn(0, 0, noFont.width, noFont.height)).toBe(0);
  });
});
