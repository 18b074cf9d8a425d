import { linePlot, panels, type Figure, type LineSeries } from '@nextx/core';
import type { ForecastSummary } from '../forecast/forecaster.js';

export interface ForecastFigureData {
  readonly title: string;
  readonly names: readonly string[];
  /** The context each forecast continues, [channel][t] (missing values NaN). */
  readonly history: readonly ArrayLike<number>[];
  readonly historyTime?: readonly string[];
  readonly point: readonly Float64Array[];
  /** Quantiles of the sample paths per channel (none for a point forecast). */
  readonly summary: readonly ForecastSummary[];
  /** Observed values over the forecast steps, when known (an evaluation), [channel][step]. */
  readonly actual?: readonly ArrayLike<number>[];
  /** History steps shown before the origin (default: 3 × horizon, at least 48). */
  readonly shown?: number;
}

/** The band between the quantile levels closest to (lo, hi), when the summary has both. */
function band(summary: ForecastSummary, lo: number, hi: number): { lo: Float64Array; hi: Float64Array } | undefined {
  const find = (q: number) => summary.levels.findIndex((l) => Math.abs(l - q) < 1e-9);
  const [i, j] = [find(lo), find(hi)];
  return i >= 0 && j >= 0 ? { lo: summary.quantiles[i] as Float64Array, hi: summary.quantiles[j] as Float64Array } : undefined;
}

/** Finite runs of a series as separate lines would need several series; a missing value is simply left out. */
function observedPoints(values: ArrayLike<number>, x0: number): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v)) {
      x.push(x0 + i);
      y.push(v);
    }
  }
  return { x, y };
}

/** One panel: the last history values, the point forecast, the median with its 50% and 90% intervals, the actuals. */
function channelPlot(data: ForecastFigureData, c: number, title: string): Figure {
  const point = data.point[c] as Float64Array;
  const horizon = point.length;
  const history = data.history[c] as ArrayLike<number>;
  const shown = Math.min(history.length, data.shown ?? Math.max(48, 3 * horizon));
  const past = observedPoints(Array.from({ length: shown }, (_, i) => history[history.length - shown + i] as number), -shown + 1);
  const steps = Array.from({ length: horizon }, (_, j) => j + 1);
  const series: LineSeries[] = [{ name: 'history', x: past.x, y: past.y, color: '#333333' }];
  const summary = data.summary[c];
  if (summary) {
    const bands = [band(summary, 0.05, 0.95), band(summary, 0.25, 0.75)].filter((b): b is NonNullable<typeof b> => b !== undefined);
    series.push({ name: 'median, 50/90%', x: steps, y: Array.from(summary.median), band: bands, color: '#1f77b4' });
  }
  series.push({ name: 'point forecast', x: steps, y: Array.from(point), color: '#d62728', dashed: true });
  const actual = data.actual?.[c];
  if (actual) {
    const seen = observedPoints(actual, 1);
    if (seen.x.length) series.push({ name: 'actual', x: seen.x, y: seen.y, color: '#2ca02c' });
  }
  const last = data.historyTime?.at(-1);
  return linePlot({ title, series, xLabel: `steps from the last observation${last ? ` (${last})` : ''}`, yLabel: data.names[c] ?? '', width: 640, height: 300 });
}

/** History, forecast and intervals of every channel, one panel each (core figures: Vega-Lite → SVG → PNG). */
export function forecastFigure(data: ForecastFigureData): Figure {
  if (data.point.length === 1) return channelPlot(data, 0, data.title);
  return panels(
    data.point.map((_, c) => channelPlot(data, c, data.names[c] ?? `series ${c}`)),
    { columns: 1, title: data.title },
  );
}

/** Writes the forecast figure (PNG or SVG by extension) atomically; returns the path. */
export async function writeForecastFigure(path: string, data: ForecastFigureData): Promise<string> {
  return forecastFigure(data).write(path);
}
