import { z } from 'zod';
import { parseConfig } from '../config/parse-config.js';
import { InputError } from '../errors.js';
import { Figure } from './figure.js';
import { chartOptionsSchema, quantitativeScale, titleOf } from './figure-options.js';
import { extent, finiteNumbers, interval, requirePositive, type Numbers } from './numeric-data.js';
import { SERIES_COLORS } from './theme.js';

const histogramSchema = chartOptionsSchema
  .extend({
    /** The values of one distribution… */
    values: finiteNumbers.optional(),
    /** …or several, overlaid on the same bins (e.g. real against generated returns). */
    series: z.array(z.object({ name: z.string().min(1), values: finiteNumbers })).min(1).readonly().optional(),
    bins: z.number().int().min(1).max(10_000).default(30),
    /** Bin over [low, high] (default: the data's extent); values outside are not counted. */
    range: interval.optional(),
    /** Log-spaced bins on a log x axis (values must be positive: take |x| for tails). */
    logX: z.boolean().default(false),
    /** Log count axis: empty bins are left out. */
    logY: z.boolean().default(false),
    /** Plot count / (n · bin width) instead of counts, so that distributions of different sizes compare. */
    density: z.boolean().default(false),
    xLabel: z.string().optional(),
    yLabel: z.string().optional(),
  })
  .superRefine((options, ctx) => {
    if ((options.values === undefined) === (options.series === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give either values or series', path: ['values'] });
      return;
    }
    if (options.logX && options.range && options.range[0] <= 0) {
      ctx.addIssue({ code: 'custom', message: 'a log x axis needs a positive range', path: ['range', 0], input: options.range[0] });
    }
    if (options.logX && !options.range) {
      if (options.values) requirePositive(options.values, ['values'], 'x', ctx);
      options.series?.forEach((s, i) => requirePositive(s.values, ['series', i, 'values'], 'x', ctx));
    }
  });

export type HistogramOptions = z.input<typeof histogramSchema>;

/** Bin edges over [low, high]: equal widths, or equal ratios on a log axis. A single value gets a unit-wide bin. */
export function binEdges(low: number, high: number, bins: number, log: boolean): number[] {
  if (low === high) [low, high] = log ? [low / Math.SQRT2, high * Math.SQRT2] : [low - 0.5, high + 0.5];
  return Array.from({ length: bins + 1 }, (_, i) => (log ? low * (high / low) ** (i / bins) : low + ((high - low) * i) / bins));
}

/** Counts of `values` in the bins [e_i, e_i+1) (the last bin includes its right edge); values outside are skipped. */
export function binCounts(values: Numbers, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  const last = edges.length - 1;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (value < edges[0]! || value > edges[last]!) continue;
    let lo = 0;
    let hi = last;
    // binary search for the bin with edges[lo] <= value < edges[lo + 1]
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (value >= edges[mid]!) lo = mid;
      else hi = mid;
    }
    counts[lo]!++;
  }
  return counts;
}

/**
 * A histogram of one or several distributions (overlaid, same bins), with linear or log axes:
 *
 *     histogram({ values: returns, bins: 50, logY: true, xLabel: 'log return' })
 *     histogram({ series: [{ name: 'data', values: gaps }, { name: 'model', values: sampled }], logX: true, density: true })
 */
export function histogram(options: HistogramOptions): Figure {
  const o = parseConfig(histogramSchema, options, 'histogram options');
  const series = o.series ?? [{ name: 'values', values: o.values! }];
  const [low, high] = o.range ?? series.map((s) => extent(s.values)).reduce(([a, b], [c, d]) => [Math.min(a, c), Math.max(b, d)]);
  const edges = binEdges(low, high, o.bins, o.logX);
  const bars = series.flatMap((s) => {
    const counts = binCounts(s.values, edges);
    return counts.map((count, i) => {
      const width = edges[i + 1]! - edges[i]!;
      return { s: s.name, lo: edges[i]!, hi: edges[i + 1]!, y: o.density ? count / (s.values.length * width) : count };
    });
  });
  if (bars.every((bar) => bar.y === 0)) throw new InputError(`histogram: no value lies inside the range [${low}, ${high}]`);
  const shown = o.logY ? bars.filter((bar) => bar.y > 0) : bars;
  const overlaid = series.length > 1;
  const spec = {
    ...titleOf(o.title),
    width: o.width,
    height: o.height,
    data: { values: shown },
    mark: { type: 'rect', opacity: overlaid ? 0.55 : 1, stroke: 'white', strokeWidth: overlaid ? 0 : 0.5 },
    encoding: {
      x: { field: 'lo', type: 'quantitative', scale: { ...quantitativeScale(o.logX, [edges[0]!, edges.at(-1)!]) }, title: o.xLabel ?? null },
      x2: { field: 'hi' },
      y: { field: 'y', type: 'quantitative', scale: o.logY ? { type: 'log' } : { type: 'linear', zero: true }, title: o.yLabel ?? (o.density ? 'density' : 'count') },
      // On a log count axis the bars rise from the bottom of the plot (there is no zero).
      y2: o.logY ? { value: o.height } : { datum: 0 },
      color: {
        field: 's',
        type: 'nominal',
        scale: { domain: series.map((s) => s.name), range: series.map((_, i) => SERIES_COLORS[i % SERIES_COLORS.length]) },
        legend: overlaid ? { title: null } : null,
      },
    },
  };
  return new Figure(() => spec);
}
