import type { Series } from '../data/series.js';
import type { TimeSplit } from '../data/split.js';
import { evaluateForecaster, type EvaluationResult } from '../forecast/evaluate.js';
import { LeastSquaresArForecaster, SeasonalNaiveForecaster } from '../forecast/baseline-forecasters.js';
import type { Forecaster } from '../forecast/forecaster.js';

/**
 * Scores a forecaster and the baselines (naive, seasonal naive, least-squares AR with the same lag) on the test end
 * of every series, the same origins for all; baselines are fitted per series on the training part.
 */
export function compareOnTest(
  forecaster: Forecaster,
  data: { series: readonly Series[]; seasonality: number },
  split: TimeSplit,
  options: { horizon: number; samples: number },
): { results: EvaluationResult[]; table: string } {
  const common = { horizon: options.horizon, insample: split.train, seasonality: data.seasonality, samples: options.samples };
  const results = [evaluateForecaster(forecaster, data.series, split.test, common)];
  if (data.series.length === 1) {
    const s = data.series[0] as Series;
    const baselines: Forecaster[] = [SeasonalNaiveForecaster.fit(s, split.train, 1)];
    if (data.seasonality > 1) baselines.push(SeasonalNaiveForecaster.fit(s, split.train, data.seasonality));
    baselines.push(LeastSquaresArForecaster.fit(s, split.train, forecaster.lag));
    for (const b of baselines) results.push(evaluateForecaster(b, [s], split.test, common));
  }
  const table = [
    `test: ${split.test.to - split.test.from} values, horizon ${options.horizon}, ${results[0]?.origins} origins`,
    'model                          MASE    sMAPE   CRPS(scaled)',
    ...results.map((r) => `${r.model.padEnd(28)} ${r.mase.toFixed(3).padStart(6)} ${r.smape.toFixed(2).padStart(8)} ${r.scaledCrps === undefined ? '' : r.scaledCrps.toFixed(3).padStart(10)}`),
  ].join('\n');
  return { results, table };
}
