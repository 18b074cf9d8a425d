import { tf, Rng, type ProgressListener } from '@nextx/core';
import { fitScaler, normaliseValues } from '../data/normalise.js';
import type { Series } from '../data/series.js';
import type { Range } from '../data/split.js';
import { observedWindows, splitWindowsByFraction, type Windows } from '../data/windows.js';
import { parseArnetConfig, parseArnetTrainConfig, type ArnetConfigInput, type ArnetTrainConfigInput } from './config.js';
import { ArnetForecaster } from './forecaster.js';
import { ArnetModel } from './model.js';
import { trainArnet, type ArnetTrainResult } from './train.js';
import type { TrainingCheckpointOptions } from '../training/resumable-training.js';

export interface FitArnetOptions {
  readonly model: ArnetConfigInput;
  readonly train?: ArnetTrainConfigInput;
  /** A training checkpoint (see `trainArnet`). */
  readonly checkpoint?: TrainingCheckpointOptions;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

/** Mean |s[t+1] − s[t]| over observed neighbours (estimate_noise, with missing values masked). */
function observedNoise(values: Float64Array, observed: Uint8Array, from: number, to: number): number {
  let sum = 0;
  let n = 0;
  for (let t = from; t + 1 < to; t++) {
    if (observed[t] && observed[t + 1]) {
      sum += Math.abs((values[t + 1] as number) - (values[t] as number));
      n++;
    }
  }
  return n ? sum / n : 1;
}

/** Residual standard deviation of each output step on a window set. */
export function residualSigma(model: ArnetModel, windows: Windows): number[] {
  const pred = tf.tidy(() => model.forward(tf.tensor2d(windows.x, [windows.n, windows.lag])));
  const values = pred.dataSync();
  pred.dispose();
  return Array.from({ length: windows.horizon }, (_, j) => {
    let ss = 0;
    for (let r = 0; r < windows.n; r++) ss += ((values[r * windows.horizon + j] as number) - (windows.y[r * windows.horizon + j] as number)) ** 2;
    return Math.sqrt(ss / Math.max(1, windows.n));
  });
}

/**
 * Fits AR-Net to the values [range.from, range.to) of a series: standardised by their mean and std, windows with a
 * missing value masked out, the last valid_p of the windows (in time) held out for the noise model and the
 * validation loss, one cycle of training.
 */
export async function fitArnet(series: Series, range: Range, options: FitArnetOptions): Promise<{ forecaster: ArnetForecaster; result: ArnetTrainResult; dropped: number }> {
  const train = parseArnetTrainConfig(options.train ?? {});
  const scaler = fitScaler(series, range.from, range.to);
  const values = normaliseValues(series.values, scaler);
  const estNoise = observedNoise(values, series.observed, range.from, range.to);
  const config = parseArnetConfig({ ...options.model, est_noise: options.model.est_noise ?? estNoise });
  const windows = observedWindows(values, series.observed, config.ar_order, config.n_forecasts, range.from, range.to);
  const split = splitWindowsByFraction(windows, train.valid_p);
  const model = new ArnetModel(config, { rng: Rng.seeded(train.seed) });
  try {
    const result = await trainArnet(model, split, train, {
      ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const sigma = residualSigma(model, split.valid.n >= 10 ? split.valid : split.train);
    return { forecaster: new ArnetForecaster(model, scaler, sigma, series.name), result, dropped: windows.dropped };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
