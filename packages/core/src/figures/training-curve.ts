import { z } from 'zod';
import { parseConfig } from '../config/parse-config.js';
import type { Figure } from './figure.js';
import { linePlot, type LinePlotOptions } from './line-plot.js';
import { finiteNumbers, requireLength, type Numbers } from './numeric-data.js';
import { smooth } from './smooth.js';
import { SERIES_COLORS } from './theme.js';

export interface TrainingCurveOptions extends Omit<LinePlotOptions, 'series'> {
  /** One curve per run or metric: `x` the steps (default 0, 1, …), `y` the values. */
  readonly series: readonly { readonly name: string; readonly x?: Numbers; readonly y: Numbers }[];
  /** Weight of the exponential smoothing drawn over the raw curve (default 0.9; 0 draws the raw curve alone). */
  readonly smoothing?: number;
}

const curvesSchema = z
  .object({
    series: z.array(z.object({ name: z.string().min(1), x: finiteNumbers.optional(), y: finiteNumbers })).min(1, 'needs at least one series').readonly(),
    smoothing: z.number().min(0).max(0.999).default(0.9),
  })
  .superRefine((o, ctx) => o.series.forEach((s, i) => requireLength(s.x, s.y.length, ['series', i, 'x'], 'y', ctx)));

/**
 * Loss (or any metric) against step: each series as a faint raw curve under its smoothed one, in one colour, with
 * `step` and `loss` as default axis titles.
 *
 *     trainingCurve({ series: [{ name: 'train', x: steps, y: losses }], logY: true })
 */
export function trainingCurve(options: TrainingCurveOptions): Figure {
  const { series: _, smoothing: __, ...rest } = options;
  // Checked here so that an error names the series as given, not as the raw/smoothed pairs drawn.
  const { series, smoothing: weight } = parseConfig(curvesSchema, options, 'trainingCurve options');
  const curves = series.flatMap((s, i) => {
    const color = SERIES_COLORS[i % SERIES_COLORS.length]!;
    const raw = { ...s, color, ...(weight > 0 ? { name: `${s.name} (raw)`, opacity: 0.3, inLegend: false } : {}) };
    return weight > 0 ? [raw, { ...s, y: smooth(s.y, weight), color }] : [raw];
  });
  return linePlot({ xLabel: 'step', yLabel: 'loss', ...rest, series: curves });
}
