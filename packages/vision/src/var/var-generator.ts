import type { z } from 'zod';
import type { GenerateChunk, GenerateOptions, Generator } from '@nextx/core';
import { parseVarModelConfig, varModelConfigSchema, type VarModelConfig } from './config.js';
import { generateVar, type VarScaleResult } from './generate.js';
import type { VarGenerateRequest } from './generate-request.js';
import { buildVar, loadVar, loadVarCheckpoint, saveVarCheckpoint, type LoadedVar, type LoadVarOptions } from './load.js';
import { varTrainingCrossEntropy, type VarBatch } from './var-loss.js';
import { ensureBackend, InputError, resolveSeed, type Rng, type tf } from '@nextx/core';

/** `vision/var` as the registry resolves it: the Generator contract over a VQVAE + VAR pair. */
export class VarGenerator implements Generator<VarGenerateRequest, VarScaleResult, VarModelConfig, VarBatch> {
  readonly name = 'vision/var';
  readonly configSchema = varModelConfigSchema as unknown as z.ZodType<VarModelConfig>;
  private model: LoadedVar | undefined;

  /** Fresh, randomly initialised models for a config (either accepted config shape). */
  async init(config: unknown, options: { readonly seed?: number } = {}): Promise<void> {
    await ensureBackend();
    this.replace(buildVar(parseVarModelConfig(config), options.seed ?? 0));
  }

  /** Weights files (.safetensors or .pth, e.g. the official release) with an optional config. */
  async loadWeights(options: LoadVarOptions): Promise<void> {
    this.replace(await loadVar(options));
  }

  async load(dir: string): Promise<void> {
    this.replace(await loadVarCheckpoint(dir));
  }

  async save(dir: string): Promise<void> {
    saveVarCheckpoint(dir, this.loaded());
    return Promise.resolve();
  }

  /**
   * The training loss with the official class dropout (`cond_drop_rate` of the config), drawn from `options.rng`
   * (deterministic given its seed; a fresh seed without one). Evaluation without dropout: `varCrossEntropy`.
   */
  loss(batch: VarBatch, options: { readonly rng?: Rng } = {}): tf.Scalar {
    const model = this.loaded();
    return varTrainingCrossEntropy(model, batch, resolveSeed(options.rng).rng, model.config.var.cond_drop_rate);
  }

  generate(request: VarGenerateRequest, options: GenerateOptions = {}): AsyncIterable<GenerateChunk<VarScaleResult>> {
    return generateVar(this.loaded(), request, options);
  }

  get models(): LoadedVar {
    return this.loaded();
  }

  dispose(): void {
    this.model?.dispose();
    this.model = undefined;
  }

  private loaded(): LoadedVar {
    if (!this.model) throw new InputError('vision/var has no weights yet: call init(config), loadWeights(files) or load(dir) first');
    return this.model;
  }

  private replace(model: LoadedVar): void {
    this.model?.dispose();
    this.model = model;
  }
}
