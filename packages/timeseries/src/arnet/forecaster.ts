import { tf, type Rng } from '@nextx/core';
import { contextWindow, type Forecaster } from '../forecast/forecaster.js';
import type { Scaler } from '../data/normalise.js';
import type { ArnetModel } from './model.js';

/**
 * AR-Net as a forecaster: the model works on the standardised series; forecasts beyond n_forecasts roll out block by
 * block (each block's h predictions become lags of the next). Sample paths add ε_j ~ N(0, σ_j²) to each predicted
 * step before it is fed back — the noise model, σ_j the residual std of output j on held-out windows.
 */
export class ArnetForecaster implements Forecaster {
  readonly name = 'AR-Net';
  readonly channels = 1;

  constructor(
    readonly model: ArnetModel,
    readonly scaler: Scaler,
    /** Residual standard deviation of each output step, standardised units. */
    readonly sigma: readonly number[],
    readonly seriesName = 'y',
  ) {}

  get lag(): number {
    return this.model.config.ar_order;
  }

  forecast(context: readonly ArrayLike<number>[], horizon: number): Float64Array[] {
    return [this.rollout(context, horizon, 1, undefined)[0] as Float64Array];
  }

  samplePaths(context: readonly ArrayLike<number>[], horizon: number, samples: number, rng: Rng): Float64Array[][] {
    return [this.rollout(context, horizon, samples, rng)];
  }

  /** `count` rollouts at once (one batched forward per block); with an Rng each step gets its noise. */
  private rollout(context: readonly ArrayLike<number>[], horizon: number, count: number, rng: Rng | undefined): Float64Array[] {
    const p = this.lag;
    const h = this.model.config.n_forecasts;
    const [window] = contextWindow(context, p, 1, [this.seriesName]) as [Float64Array];
    const { mean, std } = this.scaler;
    // Each row: the last p standardised values, then the path so far.
    const rows = Array.from({ length: count }, () => {
      const row = new Float32Array(p + horizon + h);
      for (let i = 0; i < p; i++) row[i] = ((window[i] as number) - mean) / std;
      return row;
    });
    for (let done = 0; done < horizon; done += h) {
      const lags = new Float32Array(count * p);
      rows.forEach((row, s) => lags.set(row.subarray(done, done + p), s * p));
      const out = tf.tidy(() => this.model.forward(tf.tensor2d(lags, [count, p])));
      const predicted = out.dataSync();
      out.dispose();
      rows.forEach((row, s) => {
        for (let j = 0; j < h; j++) {
          const noise = rng ? (this.sigma[j] ?? 0) * rng.normal() : 0;
          row[p + done + j] = (predicted[s * h + j] as number) + noise;
        }
      });
    }
    return rows.map((row) => Float64Array.from(row.subarray(p, p + horizon), (v) => v * std + mean));
  }
}
