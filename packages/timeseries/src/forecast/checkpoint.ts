import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { tf, CheckpointError, loadCheckpoint, parseConfig, saveCheckpoint } from '@nextx/core';
import { ArnetForecaster } from '../arnet/forecaster.js';
import { arnetConfigSchema } from '../arnet/config.js';
import { ArnetModel } from '../arnet/model.js';
import { parseSpacetimeConfig, spacetimeTrainConfigSchema } from '../spacetime/config.js';
import { SpacetimeForecaster } from '../spacetime/forecaster.js';
import { SpacetimeModel } from '../spacetime/model.js';

export const FORECAST_MODELS = ['timeseries/arnet', 'timeseries/spacetime'] as const;
export type ForecastModelName = (typeof FORECAST_MODELS)[number];

const scalerSchema = z.object({ name: z.string(), mean: z.number(), std: z.number().positive() });

/** config.json of a forecasting checkpoint: the model's own config, each series' scaler, and how it was fitted. */
export const forecastCheckpointSchema = z.discriminatedUnion('model', [
  z.object({
    model: z.literal('timeseries/arnet'),
    network: arnetConfigSchema,
    series: z.array(scalerSchema).length(1),
    noise: z.object({ sigma: z.array(z.number().nonnegative()).min(1) }),
    seasonality: z.number().int().positive().default(1),
    source: z.string().optional(),
    fitted: z.record(z.string(), z.unknown()).optional(),
  }),
  z.object({
    model: z.literal('timeseries/spacetime'),
    network: z.unknown(),
    series: z.array(scalerSchema).min(1),
    data_transform: spacetimeTrainConfigSchema.shape.data_transform,
    noise: z.object({ residualSteps: z.number().int().nonnegative() }),
    seasonality: z.number().int().positive().default(1),
    source: z.string().optional(),
    fitted: z.record(z.string(), z.unknown()).optional(),
  }),
]);

export type ForecastCheckpointConfig = z.infer<typeof forecastCheckpointSchema>;

/** The observed history a checkpoint keeps (the end of its training data): the default context and figure history. */
export interface ForecastHistory {
  readonly time: readonly string[];
  /** [channel][t]; missing values are null in the file and NaN here. */
  readonly values: readonly Float64Array[];
}

export type LoadedForecaster = ArnetForecaster | SpacetimeForecaster;

export interface ForecastCheckpoint {
  readonly forecaster: LoadedForecaster;
  readonly config: ForecastCheckpointConfig;
  readonly history: ForecastHistory;
}

const HISTORY_KEPT = 600;

/** Writes a forecaster, its scalers, noise model and the end of its history atomically (core saveCheckpoint). */
export function saveForecaster(dir: string, forecaster: LoadedForecaster, meta: { history: ForecastHistory; seasonality: number; source?: string; fitted?: Record<string, unknown> }): void {
  const keep = Math.max(forecaster.lag, HISTORY_KEPT);
  const history = {
    time: meta.history.time.slice(-keep),
    values: meta.history.values.map((v) => Array.from(v.slice(-keep), (x) => (Number.isFinite(x) ? x : null))),
  };
  const common = { seasonality: meta.seasonality, ...(meta.source ? { source: meta.source } : {}), ...(meta.fitted ? { fitted: meta.fitted } : {}) };
  const tensors = forecaster.model.stateDict();
  try {
    if (forecaster instanceof ArnetForecaster) {
      const config = { model: 'timeseries/arnet', network: forecaster.model.config, series: [{ name: forecaster.seriesName, ...forecaster.scaler }], noise: { sigma: [...forecaster.sigma] }, ...common };
      saveCheckpoint(dir, { config, tensors, jsonFiles: { history } });
    } else {
      const names = forecaster.seriesNames;
      const config = {
        model: 'timeseries/spacetime',
        network: forecaster.model.config,
        series: forecaster.scalers.map((s, c) => ({ name: names[c] ?? `series ${c}`, ...s })),
        data_transform: forecaster.transform,
        noise: { residualSteps: forecaster.residuals.length ? forecaster.residualSteps : 0 },
        ...common,
      };
      const residuals = forecaster.residuals.length
        ? { residuals: tf.tensor2d(forecaster.residuals.flatMap((r) => Array.from(r)), [forecaster.residuals.length, (forecaster.residuals[0] as Float32Array).length]) }
        : undefined;
      try {
        saveCheckpoint(dir, { config, tensors, jsonFiles: { history }, ...(residuals ? { tensorFiles: { residuals } } : {}) });
      } finally {
        if (residuals) residuals.residuals.dispose();
      }
    }
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

const historySchema = z.object({ time: z.array(z.string()), values: z.array(z.array(z.number().nullable())) });

/** Loads a checkpoint written by `saveForecaster`; every file is validated before weights are allocated. */
export function loadForecaster(dir: string): ForecastCheckpoint {
  if (!existsSync(join(dir, 'config.json'))) throw new CheckpointError(dir, 'not a forecasting checkpoint (no config.json)');
  const hasResiduals = existsSync(join(dir, 'residuals.safetensors'));
  const contents = loadCheckpoint(dir, { configSchema: forecastCheckpointSchema, jsonFiles: ['history'], tensorFiles: hasResiduals ? ['residuals'] : [] });
  const { config } = contents;
  const history = parseConfig(historySchema, contents.jsonFiles['history'], join(dir, 'history.json'));
  const cleanup = () => {
    tf.dispose(Object.values(contents.tensors));
    for (const file of Object.values(contents.tensorFiles)) tf.dispose(Object.values(file));
  };
  try {
    const values = history.values.map((v) => Float64Array.from(v, (x) => (x === null ? Number.NaN : x)));
    if (values.length !== config.series.length) throw new CheckpointError(join(dir, 'history.json'), `has ${values.length} series, config.json ${config.series.length}`);
    const scalers = config.series.map(({ mean, std }) => ({ mean, std }));
    let forecaster: LoadedForecaster;
    if (config.model === 'timeseries/arnet') {
      const model = new ArnetModel(config.network);
      model.loadStateDict(contents.tensors, { source: join(dir, 'model.safetensors') });
      forecaster = new ArnetForecaster(model, scalers[0] as { mean: number; std: number }, config.noise.sigma, config.series[0]?.name);
    } else {
      const network = parseSpacetimeConfig(config.network, `${join(dir, 'config.json')} network`);
      const model = new SpacetimeModel(network);
      model.loadStateDict(contents.tensors, { source: join(dir, 'model.safetensors') });
      model.eval();
      const stored = contents.tensorFiles['residuals']?.['residuals'];
      const rows = stored ? (stored.arraySync() as number[][]).map((r) => Float32Array.from(r)) : [];
      forecaster = new SpacetimeForecaster(model, scalers, config.data_transform, rows, config.noise.residualSteps, config.series.map((s) => s.name));
    }
    return { forecaster, config, history: { time: history.time, values } };
  } finally {
    cleanup();
  }
}
