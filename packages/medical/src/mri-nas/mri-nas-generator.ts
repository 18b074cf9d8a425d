import type { z } from 'zod';
import { InputError, type GenerateChunk, type GenerateOptions, type Generator, type Rng, type tf } from '@nextx/core';
import { mriNasConfigSchema, type MriNasConfig } from './config.js';
import { generateMriNas, type LevelReconstruction, type MriNasRequest } from './generate.js';
import { mriNasCrossEntropy, type MriNasTokenBatch } from './loss.js';
import { MriNasModel } from './model.js';

/**
 * `medical/mri-nas` as the registry resolves it: the Generator contract over the tokenizer + transformer pair. Its
 * `loss` is the transformer's (the tokenizer is trained first and frozen, see `trainMriNas`).
 */
export class MriNasGenerator implements Generator<MriNasRequest, LevelReconstruction, MriNasConfig, MriNasTokenBatch> {
  readonly name = 'medical/mri-nas';
  readonly configSchema = mriNasConfigSchema as unknown as z.ZodType<MriNasConfig>;
  private model: MriNasModel | undefined;

  async init(config: unknown, options: { readonly seed?: number } = {}): Promise<void> {
    this.replace(new MriNasModel(config as never, options.seed ?? 0));
    return Promise.resolve();
  }

  async load(dir: string): Promise<void> {
    this.replace(MriNasModel.load(dir));
    return Promise.resolve();
  }

  async save(dir: string): Promise<void> {
    this.loaded().save(dir);
    return Promise.resolve();
  }

  loss(batch: MriNasTokenBatch, _options: { readonly rng?: Rng } = {}): tf.Scalar {
    return mriNasCrossEntropy(this.loaded().transformer, batch);
  }

  generate(request: MriNasRequest, options: GenerateOptions = {}): AsyncIterable<GenerateChunk<LevelReconstruction>> {
    return generateMriNas(this.loaded(), request, options);
  }

  get models(): MriNasModel {
    return this.loaded();
  }

  dispose(): void {
    this.model?.dispose();
    this.model = undefined;
  }

  private loaded(): MriNasModel {
    if (!this.model) throw new InputError('medical/mri-nas has no weights yet: call init(config) or load(dir) first');
    return this.model;
  }

  private replace(model: MriNasModel): void {
    this.model?.dispose();
    this.model = model;
  }
}
