import { z } from 'zod';
import { parseConfig } from '../config/parse-config.js';
import { Figure } from './figure.js';
import { chartOptionsSchema, quantitativeScale, titleOf } from './figure-options.js';
import { finiteNumbers, interval, requireLength, requirePositive, type Numbers } from './numeric-data.js';
import { SERIES_COLORS } from './theme.js';

const bandSchema = z.object({ lo: finiteNumbers, hi: finiteNumbers });

const seriesSchema = z.object({
  name: z.string().min(1),
  /** x of each point (default 0, 1, 2, …). */
  x: finiteNumbers.optional(),
  y: finiteNumbers,
  /** Shaded intervals around the line, e.g. the 90% and 50% intervals of a forecast (drawn in the series colour). */
  band: z.union([bandSchema, z.array(bandSchema).readonly()]).optional(),
  /** CSS colour (default: the next of Tableau 10). */
  color: z.string().min(1).optional(),
  opacity: z.number().min(0).max(1).default(1),
  dashed: z.boolean().default(false),
  /** List the series in the legend (default true; false e.g. for the raw curve under a smoothed one). */
  inLegend: z.boolean().default(true),
});

const linePlotSchema = chartOptionsSchema
  .extend({
    series: z.array(seriesSchema).min(1, 'needs at least one series').readonly(),
    xLabel: z.string().optional(),
    yLabel: z.string().optional(),
    logX: z.boolean().default(false),
    logY: z.boolean().default(false),
    xDomain: interval.optional(),
    yDomain: interval.optional(),
    /** Show the legend (default: when two or more series are in it). */
    legend: z.boolean().optional(),
  })
  .superRefine((options, ctx) => {
    const names = new Set<string>();
    options.series.forEach((series, s) => {
      const at = ['series', s];
      if (names.has(series.name)) ctx.addIssue({ code: 'custom', message: `series name '${series.name}' is used twice`, path: [...at, 'name'] });
      names.add(series.name);
      const n = series.y.length;
      requireLength(series.x, n, [...at, 'x'], 'y', ctx);
      bandsOf(series.band).forEach((band, b) => {
        const bandAt = [...at, 'band', ...(Array.isArray(series.band) ? [b] : [])];
        requireLength(band.lo, n, [...bandAt, 'lo'], 'y', ctx);
        requireLength(band.hi, n, [...bandAt, 'hi'], 'y', ctx);
        const crossed = firstCrossing(band);
        if (crossed >= 0) ctx.addIssue({ code: 'custom', message: `is above hi (${band.hi[crossed]})`, path: [...bandAt, 'lo', crossed], input: band.lo[crossed] });
        if (options.logY) {
          requirePositive(band.lo, [...bandAt, 'lo'], 'y', ctx);
          requirePositive(band.hi, [...bandAt, 'hi'], 'y', ctx);
        }
      });
      if (options.logX && series.x) requirePositive(series.x, [...at, 'x'], 'x', ctx);
      if (options.logX && !series.x) ctx.addIssue({ code: 'custom', message: 'a log x axis needs positive x; give x (the default x starts at 0)', path: [...at, 'x'] });
      if (options.logY) requirePositive(series.y, [...at, 'y'], 'y', ctx);
    });
  });

export type LinePlotOptions = z.input<typeof linePlotSchema>;
export type LineSeries = z.input<typeof seriesSchema>;

function bandsOf(band: { lo: Numbers; hi: Numbers } | readonly { lo: Numbers; hi: Numbers }[] | undefined) {
  if (band === undefined) return [];
  return Array.isArray(band) ? band : [band as { lo: Numbers; hi: Numbers }];
}

/** x of point i: the given x, or i. */
function xAt(x: Numbers | undefined, i: number): number {
  return x ? (x[i] as number) : i;
}

/** The first index where a band's lo is above its hi, or -1. */
function firstCrossing(band: { lo: Numbers; hi: Numbers }): number {
  const n = Math.min(band.lo.length, band.hi.length);
  for (let i = 0; i < n; i++) if ((band.lo[i] as number) > (band.hi[i] as number)) return i;
  return -1;
}

/**
 * Lines (one per series) with optional shaded bands, on linear or log axes:
 *
 *     linePlot({ series: [{ name: 'train', x: steps, y: losses }], xLabel: 'step', yLabel: 'loss', logY: true })
 *     linePlot({ series: [{ name: 'median', x: t, y: median, band: [{ lo: q05, hi: q95 }, { lo: q25, hi: q75 }] }] })
 */
export function linePlot(options: LinePlotOptions): Figure {
  const o = parseConfig(linePlotSchema, options, 'linePlot options');
  const colors = o.series.map((s, i) => s.color ?? SERIES_COLORS[i % SERIES_COLORS.length]!);
  const listed = o.series.filter((s) => s.inLegend);
  const x = { field: 'x', type: 'quantitative', scale: quantitativeScale(o.logX, o.xDomain), title: o.xLabel ?? null };
  const yScale = quantitativeScale(o.logY, o.yDomain);
  const colorScale = { domain: listed.map((s) => s.name), range: o.series.flatMap((s, i) => (s.inLegend ? [colors[i]] : [])) };
  const legend = (o.legend ?? listed.length > 1) ? { title: null, symbolType: 'stroke', symbolStrokeWidth: 2, symbolOpacity: 1 } : null;
  // A series in the legend takes its colour from the shared scale, the others are painted directly.
  const colorOf = (s: number) => (o.series[s]!.inLegend ? { encoding: { color: { field: 's', type: 'nominal', scale: colorScale, legend } }, mark: {} } : { encoding: {}, mark: { color: colors[s] } });
  // One layer per band and per line, bands first so that no band covers a line; the colour scale is shared.
  const bandLayers = o.series.flatMap((series, s) =>
    bandsOf(series.band).map((band) => ({
      data: { values: Array.from(band.lo, (lo, i) => ({ s: series.name, x: xAt(series.x, i), lo, hi: band.hi[i] as number })) },
      mark: { type: 'area', opacity: 0.2 * series.opacity, clip: true, ...colorOf(s).mark },
      encoding: { x, y: { field: 'lo', type: 'quantitative', scale: yScale, title: o.yLabel ?? null }, y2: { field: 'hi' }, ...colorOf(s).encoding },
    })),
  );
  const lineLayers = o.series.map((series, s) => ({
    data: { values: Array.from(series.y, (y, i) => ({ s: series.name, x: xAt(series.x, i), y })) },
    mark: { type: 'line', strokeWidth: 1.75, clip: true, opacity: series.opacity, ...(series.dashed ? { strokeDash: [6, 3] } : {}), ...colorOf(s).mark },
    encoding: { x, y: { field: 'y', type: 'quantitative', scale: yScale, title: o.yLabel ?? null }, ...colorOf(s).encoding },
  }));
  const layers = [...bandLayers, ...lineLayers];
  return new Figure(() => ({ ...titleOf(o.title), width: o.width, height: o.height, layer: layers }));
}
