import type { z } from 'zod';
import { InputError, Rng, tf, type GenerateChunk, type GenerateOptions, type Generator } from '@nextx/core';
import { arnetConfigSchema, lambdaMax, parseArnetConfig, type ArnetConfig } from '../arnet/config.js';
import { ArnetForecaster } from '../arnet/forecaster.js';
import { arnetLoss } from '../arnet/loss.js';
import { ArnetModel } from '../arnet/model.js';
import { sparsityRegulariser } from '../arnet/sparsity.js';
import { parseSpacetimeConfig, spacetimeConfigSchema, spacetimeTrainConfigSchema, type SpacetimeConfig } from '../spacetime/config.js';
import { SpacetimeForecaster } from '../spacetime/forecaster.js';
import { spacetimeLoss } from '../spacetime/loss.js';
import { SpacetimeModel } from '../spacetime/model.js';
import { loadForecaster, saveForecaster, type ForecastHistory, type LoadedForecaster } from './checkpoint.js';
import { generateForecast, type ForecastChunk, type ForecastRequest } from './generate.js';

/** A batch of standardised windows: x [B, lag(, D)], y [B, horizon(, D)]. */
export interface ForecastBatch {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
}

/**
 * The Generator contract over a forecaster (what the registry resolves as `timeseries/arnet`, `timeseries/spacetime`):
 * `init` builds an untrained model (identity scalers, no noise model), `load`/`save` use forecasting checkpoints,
 * `generate` streams a probabilistic forecast from `request.context` or the checkpoint's history.
 */
abstract class ForecastGenerator<Config> implements Generator<ForecastRequest, ForecastChunk, Config, ForecastBatch> {
  abstract readonly name: string;
  abstract readonly configSchema: z.ZodType<Config>;
  protected current: { forecaster: LoadedForecaster; history: ForecastHistory; seasonality: number } | undefined;

  protected abstract build(config: unknown, rng: Rng): LoadedForecaster;
  abstract loss(batch: ForecastBatch, options?: { readonly rng?: Rng }): tf.Scalar;

  async init(config: unknown, options: { readonly seed?: number } = {}): Promise<void> {
    const forecaster = this.build(config, Rng.seeded(options.seed ?? 0));
    this.replace({ forecaster, history: { time: [], values: Array.from({ length: forecaster.channels }, () => new Float64Array(0)) }, seasonality: 1 });
    return Promise.resolve();
  }

  async load(dir: string): Promise<void> {
    const { forecaster, config, history } = loadForecaster(dir);
    if (config.model !== this.name) {
      forecaster.model.dispose();
      throw new InputError(`${dir} holds a ${config.model} checkpoint, not ${this.name}`);
    }
    this.replace({ forecaster, history, seasonality: config.seasonality });
    return Promise.resolve();
  }

  async save(dir: string): Promise<void> {
    const { forecaster, history, seasonality } = this.loaded();
    saveForecaster(dir, forecaster, { history, seasonality });
    return Promise.resolve();
  }

  generate(request: ForecastRequest, options: GenerateOptions = {}): AsyncIterable<GenerateChunk<ForecastChunk>> {
    // GenerateOptions.sampler is never ignored: a forecaster draws its paths from its own predictive distribution.
    if (options.sampler) throw new InputError(`${this.name} draws sample paths from its predictive distribution and takes no GenerateOptions.sampler`);
    const { forecaster, history } = this.loaded();
    const context = request.context ? request.context.map((c) => Float64Array.from(c, (v) => (v === null ? Number.NaN : v))) : history.values;
    return generateForecast(forecaster, request, context, options);
  }

  get forecaster(): LoadedForecaster {
    return this.loaded().forecaster;
  }

  dispose(): void {
    this.current?.forecaster.model.dispose();
    this.current = undefined;
  }

  protected loaded(): NonNullable<ForecastGenerator<Config>['current']> {
    if (!this.current) throw new InputError(`${this.name} has no model yet: call init(config) or load(dir) first`);
    return this.current;
  }

  private replace(next: NonNullable<ForecastGenerator<Config>['current']>): void {
    this.dispose();
    this.current = next;
  }
}

export class ArnetGenerator extends ForecastGenerator<ArnetConfig> {
  readonly name = 'timeseries/arnet';
  readonly configSchema = arnetConfigSchema as unknown as z.ZodType<ArnetConfig>;

  protected build(config: unknown, rng: Rng): LoadedForecaster {
    const parsed = parseArnetConfig(config);
    return new ArnetForecaster(new ArnetModel(parsed, { rng }), { mean: 0, std: 1 }, new Array<number>(parsed.n_forecasts).fill(0));
  }

  /** The loss function plus λ_max·R(W) when the config asks for sparsity (the ramp's end value). */
  loss(batch: ForecastBatch): tf.Scalar {
    const model = (this.loaded().forecaster as ArnetForecaster).model;
    const { config } = model;
    return tf.tidy(() => {
      const main = arnetLoss(config.loss_func, model.forward(batch.x), batch.y);
      if (config.sparsity === null) return main;
      const lam = lambdaMax(config, config.est_noise ?? 1);
      return tf.add(main, tf.mul(sparsityRegulariser(model.inputWeight, config.reg_c1, config.reg_c2), lam)) as tf.Scalar;
    });
  }
}

export class SpacetimeGenerator extends ForecastGenerator<SpacetimeConfig> {
  readonly name = 'timeseries/spacetime';
  readonly configSchema = spacetimeConfigSchema as unknown as z.ZodType<SpacetimeConfig>;

  protected build(config: unknown, rng: Rng): LoadedForecaster {
    const parsed = parseSpacetimeConfig(config);
    const channels = parsed.embedding_config.kwargs.input_dim;
    return new SpacetimeForecaster(new SpacetimeModel(parsed, { rng }), Array.from({ length: channels }, () => ({ mean: 0, std: 1 })), 'mean', [], 0);
  }

  /** The official training loss with its default settings (informer_rmse, all three terms). */
  loss(batch: ForecastBatch): tf.Scalar {
    const model = (this.loaded().forecaster as SpacetimeForecaster).model;
    const c = spacetimeTrainConfigSchema.parse({});
    return spacetimeLoss(model, batch.x, batch.y, { criterion: c.loss, weights: c.criterion_weights, transform: c.data_transform, allTerms: true }).loss;
  }
}
