import { InputError, NextxError, Rng } from '@nextx/core';
import type { Series } from '../data/series.js';
import type { Range } from '../data/split.js';
import { mae, maseScale, rmse, smape } from '../metrics/point-metrics.js';
import { meanCrps } from '../metrics/crps.js';
import type { Forecaster } from './forecaster.js';

export interface EvaluationOptions {
  readonly horizon: number;
  /** Values the models were fitted on: the MASE (and scaled CRPS) denominators come from here. */
  readonly insample: Range;
  readonly seasonality: number;
  /** Sample paths per origin for CRPS (0: point metrics only). */
  readonly samples?: number;
  /** At most this many forecast origins, evenly spread over the test range (default 20). */
  readonly maxOrigins?: number;
  readonly seed?: number;
}

export interface EvaluationResult {
  readonly model: string;
  readonly horizon: number;
  readonly origins: number;
  /** Origins left out because the context had a missing value. */
  readonly skipped: number;
  readonly mase: number;
  readonly smape: number;
  readonly mae: number;
  readonly rmse: number;
  /** Mean CRPS in data units, and divided by the MASE scale (comparable across series). */
  readonly crps?: number;
  readonly scaledCrps?: number;
  readonly seconds: number;
}

/** Forecast origins t0 (first forecast step) with t0 + horizon ≤ test.to, non-overlapping, at most `max`, evenly spread. */
export function forecastOrigins(test: Range, horizon: number, max: number): number[] {
  const all: number[] = [];
  for (let t = test.from; t + horizon <= test.to; t += horizon) all.push(t);
  if (all.length === 0) throw new InputError(`the test range [${test.from}, ${test.to}) is shorter than the horizon ${horizon}`);
  if (all.length <= max) return all;
  return Array.from({ length: max }, (_, i) => all[Math.round((i * (all.length - 1)) / Math.max(1, max - 1))] as number);
}

/**
 * Rolling-origin evaluation on the test range: at each origin the forecaster sees every value before it (the last
 * `lag` as context) and forecasts `horizon` steps; MASE (seasonal-naive in-sample scale, per series), sMAPE, MAE,
 * RMSE and, with samples, CRPS are averaged over origins and series. Missing actual values are skipped by the metrics.
 */
export function evaluateForecaster(forecaster: Forecaster, series: readonly Series[], test: Range, options: EvaluationOptions): EvaluationResult {
  const started = performance.now();
  const origins = forecastOrigins(test, options.horizon, options.maxOrigins ?? 20);
  const scales = series.map((s) => maseScale(s.values.slice(options.insample.from, options.insample.to), options.seasonality));
  const rng = Rng.seeded(options.seed ?? 0);
  const sums = { mase: 0, smape: 0, mae: 0, rmse: 0, crps: 0, scaledCrps: 0 };
  let counted = 0;
  let skipped = 0;
  for (const t0 of origins) {
    const context = series.map((s) => s.values.subarray(0, t0));
    let point: Float64Array[];
    let paths: Float64Array[][] | undefined;
    try {
      point = forecaster.forecast(context, options.horizon);
      if (options.samples) paths = forecaster.samplePaths(context, options.horizon, options.samples, rng);
    } catch (error) {
      if (error instanceof NextxError && /missing value/.test(error.message)) {
        skipped++;
        continue;
      }
      throw error;
    }
    series.forEach((s, c) => {
      const actual = s.values.subarray(t0, t0 + options.horizon);
      const f = point[c] as Float64Array;
      const e = mae(actual, f);
      sums.mae += e;
      sums.mase += e / (scales[c] as number);
      sums.smape += smape(actual, f);
      sums.rmse += rmse(actual, f);
      if (paths) {
        const crps = meanCrps(paths[c] as Float64Array[], actual);
        sums.crps += crps;
        sums.scaledCrps += crps / (scales[c] as number);
      }
      counted++;
    });
  }
  if (counted === 0) throw new InputError('no forecast origin of the test range has a complete context');
  const mean = (v: number) => v / counted;
  return {
    model: forecaster.name,
    horizon: options.horizon,
    origins: origins.length - skipped,
    skipped,
    mase: mean(sums.mase),
    smape: mean(sums.smape),
    mae: mean(sums.mae),
    rmse: mean(sums.rmse),
    ...(options.samples ? { crps: mean(sums.crps), scaledCrps: mean(sums.scaledCrps) } : {}),
    seconds: (performance.now() - started) / 1000,
  };
}
