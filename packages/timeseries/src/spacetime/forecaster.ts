import { tf, InputError, type Rng } from '@nextx/core';
import { contextWindow, type Forecaster } from '../forecast/forecaster.js';
import type { Scaler } from '../data/normalise.js';
import type { SpacetimeModel } from './model.js';
import type { DataTransform } from './transforms.js';
import { fitTransform, invertTransform, disposeTransform } from './transforms.js';

/**
 * SpaceTime as a forecaster of D series at once: each channel standardised by its own scaler, the lag window
 * transformed as in training, the closed loop rolled out to any horizon. Probabilistic forecasts add whole residual
 * paths (closed-loop errors on held-out windows, [R][steps][D], standardised units) drawn at random: the quantiles
 * of the result are the point forecast's empirical error quantiles, step by step, with the errors' correlation across
 * steps and channels kept.
 */
export class SpacetimeForecaster implements Forecaster {
  readonly name = 'SpaceTime';

  constructor(
    readonly model: SpacetimeModel,
    readonly scalers: readonly Scaler[],
    readonly transform: DataTransform,
    readonly residuals: readonly Float32Array[],
    readonly residualSteps: number,
    readonly seriesNames: readonly string[] = [],
  ) {}

  get lag(): number {
    return this.model.lag;
  }

  get channels(): number {
    return this.scalers.length;
  }

  /** Standardised forecasts [horizon][D] of a batch of standardised lag windows x [B, L, D]. */
  forecastStandardised(x: tf.Tensor, horizon: number): tf.Tensor {
    const trained = this.model.horizon;
    this.model.horizon = horizon;
    try {
      return tf.tidy(() => {
        const t = fitTransform(this.transform, x);
        const y = invertTransform(t, this.model.forward(t.u, { inferenceOnly: true }).yClosed);
        disposeTransform(t);
        return y;
      });
    } finally {
      this.model.horizon = trained;
    }
  }

  forecast(context: readonly ArrayLike<number>[], horizon: number): Float64Array[] {
    const windows = contextWindow(context, this.lag, this.channels, this.seriesNames);
    const d = this.channels;
    const x = new Float32Array(this.lag * d);
    windows.forEach((w, c) => w.forEach((v, t) => (x[t * d + c] = (v - (this.scalers[c] as Scaler).mean) / (this.scalers[c] as Scaler).std)));
    const y = tf.tidy(() => this.forecastStandardised(tf.tensor3d(x, [1, this.lag, d]), horizon));
    const values = y.dataSync();
    y.dispose();
    return this.scalers.map((s, c) => Float64Array.from({ length: horizon }, (_, j) => (values[j * d + c] as number) * s.std + s.mean));
  }

  samplePaths(context: readonly ArrayLike<number>[], horizon: number, samples: number, rng: Rng): Float64Array[][] {
    if (horizon > this.residualSteps) {
      throw new InputError(`this SpaceTime checkpoint has forecast errors for ${this.residualSteps} steps; a probabilistic forecast of ${horizon} needs a checkpoint fitted with that horizon`);
    }
    if (this.residuals.length === 0) throw new InputError('this SpaceTime checkpoint has no held-out forecast errors for probabilistic forecasts');
    const point = this.forecast(context, horizon);
    const d = this.channels;
    // One residual path per sample for every channel, so that the channels' errors stay correlated.
    const drawn = Array.from({ length: samples }, () => this.residuals[Math.floor(rng.uniform() * this.residuals.length)] as Float32Array);
    return point.map((p, c) => {
      const std = (this.scalers[c] as Scaler).std;
      return drawn.map((r) => Float64Array.from(p, (v, j) => v + (r[j * d + c] as number) * std));
    });
  }
}
