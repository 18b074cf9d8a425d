import { tf, InputError, Rng, type ProgressListener } from '@nextx/core';
import { fitScaler, normaliseValues } from '../data/normalise.js';
import type { Series } from '../data/series.js';
import type { Range } from '../data/split.js';
import { alignedWindows, type SequenceWindows } from '../data/windows.js';
import { parseConfig } from '@nextx/core';
import { spacetimeTrainConfigSchema, type SpacetimeConfig, type SpacetimeTrainConfigInput } from './config.js';
import { defaultSpacetimeConfig, type SpacetimeSizes } from './default-config.js';
import { SpacetimeForecaster } from './forecaster.js';
import { SpacetimeModel } from './model.js';
import { trainSpacetime, type SpacetimeTrainResult } from './train.js';
import type { TrainingCheckpointOptions } from '../training/resumable-training.js';

export interface FitSpacetimeOptions {
  readonly lag: number;
  readonly horizon: number;
  /** A full network config (official names); default: `defaultSpacetimeConfig` with these sizes. */
  readonly config?: SpacetimeConfig;
  readonly sizes?: Omit<SpacetimeSizes, 'inputDim' | 'lag' | 'horizon'>;
  readonly train?: SpacetimeTrainConfigInput;
  /** Fraction of the windows (the last in time) held out for the validation loss and the forecast errors. */
  readonly validFraction?: number;
  /** Keep every stride-th training window (long series train faster). */
  readonly stride?: number;
  /** A training checkpoint (see `trainSpacetime`). */
  readonly checkpoint?: TrainingCheckpointOptions;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

const MAX_RESIDUAL_PATHS = 512;

function sliceWindows(w: SequenceWindows, from: number, to: number): SequenceWindows {
  const x = w.lag * w.channels;
  const y = w.horizon * w.channels;
  return { ...w, n: to - from, x: w.x.slice(from * x, to * x), y: w.y.slice(from * y, to * y) };
}

/**
 * Fits SpaceTime to [range.from, range.to) of D aligned series: each standardised by its own mean and std, windows
 * with a missing value in any channel left out, the last `validFraction` of the windows (in time) held out for the
 * validation loss and the forecast errors of the probabilistic forecasts.
 */
export async function fitSpacetime(series: readonly Series[], range: Range, options: FitSpacetimeOptions): Promise<{ forecaster: SpacetimeForecaster; training: SpacetimeTrainResult; dropped: number }> {
  if (series.length === 0) throw new InputError('SpaceTime needs at least one series');
  const length = (series[0] as Series).values.length;
  const bad = series.find((s) => s.values.length !== length);
  if (bad) throw new InputError(`the series must be aligned: '${bad.name}' has ${bad.values.length} values, '${series[0]?.name}' ${length}`);
  const train = parseConfig(spacetimeTrainConfigSchema, options.train ?? {}, 'SpaceTime training config');
  const scalers = series.map((s) => fitScaler(s, range.from, range.to));
  const values = series.map((s, c) => normaliseValues(s.values, scalers[c] as (typeof scalers)[number]));
  const windows = alignedWindows(values, series.map((s) => s.observed), options.lag, options.horizon, range.from, range.to, options.stride ?? 1);
  const nValid = Math.max(1, Math.floor(windows.n * (options.validFraction ?? 0.1)));
  if (windows.n - nValid < 1) throw new InputError(`${windows.n} complete windows leave none to train on`);
  const trainWindows = sliceWindows(windows, 0, windows.n - nValid);
  const validWindows = sliceWindows(windows, windows.n - nValid, windows.n);
  const config = options.config ?? defaultSpacetimeConfig({ inputDim: series.length, lag: options.lag, horizon: options.horizon, ...options.sizes });
  const model = new SpacetimeModel(config, { rng: Rng.seeded(train.seed) });
  try {
    const training = await trainSpacetime(model, { train: trainWindows, valid: validWindows }, train, {
      ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const forecaster = new SpacetimeForecaster(model, scalers, train.data_transform, [], options.horizon, series.map((s) => s.name));
    const residuals = forecastErrors(forecaster, validWindows);
    return { forecaster: new SpacetimeForecaster(model, scalers, train.data_transform, residuals, options.horizon, series.map((s) => s.name)), training, dropped: windows.dropped };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** Closed-loop errors y − ŷ of held-out windows (standardised units), at most 512 evenly spaced paths. */
export function forecastErrors(forecaster: SpacetimeForecaster, windows: SequenceWindows): Float32Array[] {
  const step = Math.max(1, Math.ceil(windows.n / MAX_RESIDUAL_PATHS));
  const rows = Array.from({ length: Math.ceil(windows.n / step) }, (_, i) => i * step);
  const size = windows.horizon * windows.channels;
  const pred = tf.tidy(() => {
    const x = tf.gather(tf.tensor3d(windows.x, [windows.n, windows.lag, windows.channels]), tf.tensor1d(rows, 'int32'));
    return forecaster.forecastStandardised(x, windows.horizon);
  });
  const predicted = pred.dataSync();
  pred.dispose();
  return rows.map((r, i) => Float32Array.from({ length: size }, (_, k) => (windows.y[r * size + k] as number) - (predicted[i * size + k] as number)));
}
