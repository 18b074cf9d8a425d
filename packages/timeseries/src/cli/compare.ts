import type { Series } from '../data/series.js';
import type { TimeSplit } from '../data/split.js';
import { Rng } from '@nextx/core';
import { evaluateForecaster, forecastOrigins, type EvaluationResult } from '../forecast/evaluate.js';
import { writeForecastFigure } from '../figures/forecast-figure.js';
import { LeastSquaresArForecaster, SeasonalNaiveForecaster } from '../forecast/baseline-forecasters.js';
import { summarisePaths, type Forecaster } from '../forecast/forecaster.js';

/**
 * Scores a forecaster and the baselines (naive, seasonal naive, least-squares AR with the same lag) on the test end
 * of every series, the same origins for all; baselines are fitted per series on the training part.
 */
export async function compareOnTest(
  forecaster: Forecaster,
  data: { series: readonly Series[]; seasonality: number },
  split: TimeSplit,
  options: { horizon: number; samples: number; figure?: string },
): Promise<{ results: EvaluationResult[]; table: string; figure?: string }> {
  const common = { horizon: options.horizon, insample: split.train, seasonality: data.seasonality, samples: options.samples };
  const results = [evaluateForecaster(forecaster, data.series, split.test, common)];
  if (data.series.length === 1) {
    const s = data.series[0] as Series;
    const baselines: Forecaster[] = [SeasonalNaiveForecaster.fit(s, split.train, 1)];
    if (data.seasonality > 1) baselines.push(SeasonalNaiveForecaster.fit(s, split.train, data.seasonality));
    baselines.push(LeastSquaresArForecaster.fit(s, split.train, forecaster.lag));
    for (const b of baselines) results.push(evaluateForecaster(b, [s], split.test, common));
  }
  const figure = await writeLastOriginFigure(forecaster, data.series, split, options);
  const table = [
    `test: ${split.test.to - split.test.from} values, horizon ${options.horizon}, ${results[0]?.origins} origins`,
    'model                          MASE    sMAPE   CRPS(scaled)',
    ...results.map((r) => `${r.model.padEnd(28)} ${r.mase.toFixed(3).padStart(6)} ${r.smape.toFixed(2).padStart(8)} ${r.scaledCrps === undefined ? '' : r.scaledCrps.toFixed(3).padStart(10)}`),
  ].join('\n');
  return { results, table, ...(figure ? { figure } : {}) };
}

/** The forecast from the last test origin against what happened, as a figure (when `options.figure` names a file). */
async function writeLastOriginFigure(forecaster: Forecaster, series: readonly Series[], split: TimeSplit, options: { horizon: number; samples: number; figure?: string }): Promise<string | undefined> {
  if (!options.figure) return undefined;
  const origin = forecastOrigins(split.test, options.horizon, Number.MAX_SAFE_INTEGER).at(-1) as number;
  const context = series.map((s) => s.values.subarray(0, origin));
  const samples = Math.max(options.samples, 0);
  const point = forecaster.forecast(context, options.horizon);
  const summary = samples ? forecaster.samplePaths(context, options.horizon, samples, Rng.seeded(0)).map((p) => summarisePaths(p)) : [];
  return writeForecastFigure(options.figure, {
    title: `${forecaster.name}: the last test forecast (${options.horizon} steps) against the held-out values`,
    names: series.map((s) => s.name),
    history: context,
    historyTime: series[0]?.time.slice(0, origin) ?? [],
    point,
    summary,
    actual: series.map((s) => s.values.subarray(origin, origin + options.horizon)),
  });
}
