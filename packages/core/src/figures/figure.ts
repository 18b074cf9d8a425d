import { extname } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { z } from 'zod';
import { parseConfig } from '../config/parse-config.js';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-file.js';
import { svgToPng, vegaLiteToSvg, loadVega, type PngOptions, type Vega } from './render.js';
import { FIGURE_CONFIG } from './theme.js';

/** A Vega-Lite view spec (unit, layer or concat) without the top-level keys (`config`, `padding`, `$schema`). */
export type VegaLiteSpec = Record<string, unknown>;

/** Makes a figure's spec once Vega is loaded (colour schemes come from Vega itself). */
export type SpecBuilder = (vega: Vega) => VegaLiteSpec;

const pngOptionsSchema = z.object({
  scale: z.number().positive().max(16).optional(),
  fontFiles: z.array(z.string().min(1)).readonly().optional(),
  systemFonts: z.boolean().optional(),
  bundledFont: z.boolean().optional(),
});

/**
 * A figure: a Vega-Lite spec rendered with nextx's theme and bundled font. Made by `linePlot`, `histogram`,
 * `heatmap`, `imageGridFigure`, `panels`, or `Figure.fromVegaLite` for any other chart.
 */
export class Figure {
  constructor(private readonly build: SpecBuilder) {}

  /** A figure from your own Vega-Lite spec (without `config`; it gets nextx's theme and font). */
  static fromVegaLite(spec: VegaLiteSpec): Figure {
    return new Figure(() => spec);
  }

  /** This figure's spec as a part of a larger one (what `panels` composes). */
  viewSpec(vega: Vega): VegaLiteSpec {
    return this.build(vega);
  }

  /** The complete Vega-Lite spec, theme included: paste it into the Vega editor to tweak. */
  async toVegaLite(): Promise<TopLevelSpec> {
    const { vega } = await loadVega();
    return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', ...this.build(vega), config: FIGURE_CONFIG } as unknown as TopLevelSpec;
  }

  /** An SVG document (text set in DejaVu Sans; a viewer without it substitutes its sans-serif font). */
  async toSvg(): Promise<string> {
    return vegaLiteToSvg(await this.toVegaLite());
  }

  /** PNG bytes, `scale` output pixels per SVG pixel (default 2), text drawn with the bundled font. */
  async toPng(options: PngOptions = {}): Promise<Uint8Array> {
    const parsed = parseConfig(pngOptionsSchema, options, 'PNG options');
    return svgToPng(await this.toSvg(), parsed);
  }

  /** Writes the figure atomically as SVG or PNG, as the extension of `path` says; returns `path`. */
  async write(path: string, options: PngOptions = {}): Promise<string> {
    return writeFigure(path, this, options);
  }
}

/** Writes `figure` atomically to `path`: `.svg` as SVG, `.png` as PNG (`options.scale`, fonts); returns `path`. */
export async function writeFigure(path: string, figure: Figure, options: PngOptions = {}): Promise<string> {
  const extension = extname(path).toLowerCase();
  if (extension !== '.svg' && extension !== '.png') {
    throw new InputError(`a figure is written as .svg or .png; '${path}' ends in '${extension || '(no extension)'}'`);
  }
  writeFileAtomic(path, extension === '.svg' ? await figure.toSvg() : await figure.toPng(options));
  return path;
}
