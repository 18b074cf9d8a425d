import type * as VegaModule from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { bundledFontFiles, FIGURE_FONT_FAMILY } from './fonts.js';

export type Vega = typeof VegaModule;

interface Libraries {
  readonly vega: Vega;
  readonly compile: (spec: TopLevelSpec, options?: { logger?: VegaModule.LoggerInterface }) => { spec: VegaModule.Spec };
}

let libraries: Promise<Libraries> | undefined;

/** Vega and Vega-Lite, imported on first use: together they take ~0.3 s to load, which `import '@nextx/core'` should not pay. */
export function loadVega(): Promise<Libraries> {
  libraries ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => ({ vega, compile: vegaLite.compile }));
  return libraries;
}

/** Compiles a Vega-Lite spec to Vega and renders it headless (no canvas, no DOM) to an SVG document. */
export async function vegaLiteToSvg(spec: TopLevelSpec): Promise<string> {
  const { vega, compile } = await loadVega();
  const logger = vega.logger(vega.Error);
  const view = new vega.View(vega.parse(compile(spec, { logger }).spec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface FontOptions {
  /** Extra font files (TTF/OTF; not WOFF) for text the bundled DejaVu Sans lacks, e.g. CJK. */
  readonly fontFiles?: readonly string[];
  /**
   * Also use the fonts installed on this machine (default false: output is then the same on every machine, and a
   * machine without fonts still renders text).
   */
  readonly systemFonts?: boolean;
  /** Use the bundled DejaVu Sans (default true; false only to see what a machine without it would draw). */
  readonly bundledFont?: boolean;
}

export interface PngOptions extends FontOptions {
  /** Output pixels per SVG pixel (default 2). */
  readonly scale?: number;
}

/** Rasterises an SVG document with resvg (Rust, prebuilt binary from npm) into PNG bytes. */
export async function svgToPng(svg: string, options: PngOptions = {}): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  const fontFiles = [...(options.bundledFont === false ? [] : bundledFontFiles()), ...(options.fontFiles ?? [])];
  const resvg = new Resvg(svg, {
    font: {
      loadSystemFonts: options.systemFonts ?? false,
      fontFiles,
      defaultFontFamily: FIGURE_FONT_FAMILY,
      sansSerifFamily: FIGURE_FONT_FAMILY,
    },
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    // Nearest neighbour for images: a heatmap cell or an image pixel stays a block of its own colour. (Vega marks
    // unsmoothed images `image-rendering: pixelated`, a value resvg does not know and would smooth.)
    imageRendering: 1,
    logLevel: 'off',
  });
  return new Uint8Array(resvg.render().asPng());
}
