import { InputError, type Rng } from '@nextx/core';
import { quantile } from '../metrics/crps.js';

/**
 * What every model (and baseline) offers the CLI, the evaluation and the benchmarks: point forecasts and sample
 * paths, per channel, in the data's own units, from a context of at least `lag` values per channel.
 */
export interface Forecaster {
  readonly name: string;
  /** Context values needed per channel. */
  readonly lag: number;
  readonly channels: number;
  forecast(context: readonly ArrayLike<number>[], horizon: number): Float64Array[];
  /** [channel][sample] paths of `horizon` steps. */
  samplePaths(context: readonly ArrayLike<number>[], horizon: number, samples: number, rng: Rng): Float64Array[][];
}

export const DEFAULT_QUANTILES: readonly number[] = [0.05, 0.25, 0.5, 0.75, 0.95];

export interface ForecastSummary {
  readonly levels: readonly number[];
  /** [level][step] for one channel. */
  readonly quantiles: Float64Array[];
  readonly median: Float64Array;
}

/** Per-step quantiles of sample paths (one channel). */
export function summarisePaths(paths: readonly Float64Array[], levels: readonly number[] = DEFAULT_QUANTILES): ForecastSummary {
  if (paths.length === 0) throw new InputError('no sample paths to summarise');
  const horizon = (paths[0] as Float64Array).length;
  const column = new Float64Array(paths.length);
  const quantiles = levels.map(() => new Float64Array(horizon));
  const median = new Float64Array(horizon);
  for (let j = 0; j < horizon; j++) {
    paths.forEach((p, s) => (column[s] = p[j] as number));
    levels.forEach((q, i) => ((quantiles[i] as Float64Array)[j] = quantile(column, q)));
    median[j] = quantile(column, 0.5);
  }
  return { levels, quantiles, median };
}

/** The last `lag` values of each channel; refuses a short or incomplete context, naming the channel and position. */
export function contextWindow(context: readonly ArrayLike<number>[], lag: number, channels: number, names: readonly string[] = []): Float64Array[] {
  if (context.length !== channels) throw new InputError(`the model forecasts ${channels} series; the context has ${context.length}`);
  return context.map((series, c) => {
    const name = names[c] ?? `series ${c}`;
    if (series.length < lag) throw new InputError(`the context of '${name}' has ${series.length} values; the model needs the last ${lag}`);
    const window = Float64Array.from({ length: lag }, (_, i) => series[series.length - lag + i] as number);
    const missing = window.findIndex((v) => !Number.isFinite(v));
    if (missing >= 0) {
      throw new InputError(`the context of '${name}' has a missing value ${lag - missing} steps before the forecast origin; the model needs ${lag} observed values`);
    }
    return window;
  });
}
