import type { Rng } from '@nextx/core';
import { naiveForecast, seasonalNaiveForecast } from '../baselines/naive.js';
import { arForecast, arSamplePaths, fitLeastSquaresAr, type ArModel } from '../baselines/least-squares-ar.js';
import type { Series } from '../data/series.js';
import type { Range } from '../data/split.js';
import type { Forecaster } from './forecaster.js';

/**
 * Naive (m = 1) or seasonal naive as forecasters of one series. Sample paths: the forecast plus a Gaussian random walk
 * whose step is the in-sample seasonal difference's RMS (the naive method's own error model).
 */
export class SeasonalNaiveForecaster implements Forecaster {
  readonly channels = 1;
  readonly name: string;
  constructor(
    readonly seasonality: number,
    /** RMS of x_t − x_{t−m} in sample. */
    readonly stepSigma: number,
  ) {
    this.name = seasonality === 1 ? 'naive' : `seasonal naive (m=${seasonality})`;
  }
  get lag(): number {
    return this.seasonality;
  }
  static fit(series: Series, range: Range, seasonality: number): SeasonalNaiveForecaster {
    const v = series.values.slice(range.from, range.to);
    let ss = 0;
    let n = 0;
    for (let t = seasonality; t < v.length; t++) {
      const d = (v[t] as number) - (v[t - seasonality] as number);
      if (Number.isFinite(d)) {
        ss += d * d;
        n++;
      }
    }
    return new SeasonalNaiveForecaster(seasonality, Math.sqrt(ss / Math.max(1, n)));
  }
  forecast(context: readonly ArrayLike<number>[], horizon: number): Float64Array[] {
    const c = context[0] as ArrayLike<number>;
    return [this.seasonality === 1 ? naiveForecast(c, horizon) : seasonalNaiveForecast(c, horizon, this.seasonality)];
  }
  samplePaths(context: readonly ArrayLike<number>[], horizon: number, samples: number, rng: Rng): Float64Array[][] {
    const [point] = this.forecast(context, horizon) as [Float64Array];
    const m = this.seasonality;
    return [
      Array.from({ length: samples }, () => {
        // The error after k seasons is a sum of k season-steps (Hyndman & Athanasopoulos, 5.5).
        const walk = new Float64Array(m);
        return Float64Array.from(point, (v, j) => {
          walk[j % m] = (walk[j % m] as number) + this.stepSigma * rng.normal();
          return v + (walk[j % m] as number);
        });
      }),
    ];
  }
}

/** Least-squares AR(p) as a forecaster, fitted on the raw values; Gaussian sample paths by recursion. */
export class LeastSquaresArForecaster implements Forecaster {
  readonly channels = 1;
  readonly name: string;
  constructor(readonly model: ArModel) {
    this.name = `AR(${model.order})`;
  }
  get lag(): number {
    return this.model.order;
  }
  static fit(series: Series, range: Range, order: number): LeastSquaresArForecaster {
    return new LeastSquaresArForecaster(fitLeastSquaresAr(series.values.slice(range.from, range.to), order, series.observed.slice(range.from, range.to)));
  }
  forecast(context: readonly ArrayLike<number>[], horizon: number): Float64Array[] {
    return [arForecast(this.model, context[0] as ArrayLike<number>, horizon)];
  }
  samplePaths(context: readonly ArrayLike<number>[], horizon: number, samples: number, rng: Rng): Float64Array[][] {
    return [arSamplePaths(this.model, context[0] as ArrayLike<number>, horizon, samples, rng)];
  }
}
