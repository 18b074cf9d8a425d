import type { z } from 'zod';
import { InputError, Rng, resolveSeed, tf, type GenerateChunk, type GenerateOptions, type Generator } from '@nextx/core';
import { arConfigSchema, parseArConfig, type ArConfig } from './ar/config.js';
import { ArModel } from './ar/model.js';
import { bitlmConfigSchema, parseBitlmConfig, type BitlmConfig } from './bitlm/config.js';
import { BitLm } from './bitlm/model.js';
import { bitlmLoss, prepareBitlmBatch } from './bitlm/train.js';
import { disposeLoaded, loadTextCheckpoint, type LoadedTextModel } from './checkpoint/text-checkpoint.js';
import { cobitConfigSchema, parseCobitConfig, type CobitConfig } from './cobit/config.js';
import { cobitLossTerms, hostBatchTensors, type HostCobitBatch } from './cobit/loss.js';
import { CobitNetwork } from './cobit/network/cobit-network.js';
import { initCobitWeights } from './cobit/network/init-weights.js';
import { generateText, type TextChunk, type TextGenerateRequest } from './generate/text-generation.js';
import { ByteTokenizer } from './tokenizers/byte-tokenizer.js';

type Kind = LoadedTextModel['kind'];

/** Shared lifecycle: a loaded checkpoint (model, tokenizer, CoBit's profile) or a fresh model from a config. */
abstract class TextGenerator<Config, Batch> implements Generator<TextGenerateRequest, TextChunk, Config, Batch> {
  abstract readonly name: Kind;
  abstract readonly configSchema: z.ZodType<Config>;
  protected loaded: LoadedTextModel | undefined;

  async load(dir: string): Promise<void> {
    this.replace(loadTextCheckpoint(dir, this.name));
    return Promise.resolve();
  }

  async save(): Promise<void> {
    return Promise.reject(new InputError(`${this.name}: checkpoints are written by training (\`nextx train ${this.name}\`), which saves the tokenizer and profile with the weights`));
  }

  generate(request: TextGenerateRequest, options: GenerateOptions = {}): AsyncIterable<GenerateChunk<TextChunk>> {
    return generateText(this.current(), request, options);
  }

  get model(): LoadedTextModel {
    return this.current();
  }

  dispose(): void {
    if (this.loaded) disposeLoaded(this.loaded);
    this.loaded = undefined;
  }

  protected current(): LoadedTextModel {
    if (!this.loaded) throw new InputError(`${this.name} has no model yet: call load(dir) or init(config) first`);
    return this.loaded;
  }

  protected replace(loaded: LoadedTextModel): void {
    this.dispose();
    this.loaded = loaded;
  }

  abstract init(config: unknown, options?: { readonly seed?: number }): Promise<void>;
  abstract loss(batch: Batch, options?: { readonly rng?: Rng }): tf.Scalar;
}

/** `text/cobit`. A fresh model (init) has no entropy profile: generate with `sampler.schedule = 'karras'` until trained. */
export class CobitGenerator extends TextGenerator<CobitConfig, HostCobitBatch> {
  readonly name = 'text/cobit' as const;
  readonly configSchema = cobitConfigSchema as unknown as z.ZodType<CobitConfig>;

  async init(config: unknown, options: { readonly seed?: number } = {}): Promise<void> {
    const parsed = parseCobitConfig(config);
    const net = new CobitNetwork(parsed, Rng.seeded(options.seed ?? 0));
    initCobitWeights(net, Rng.seeded((options.seed ?? 0) + 1));
    const empty = new Float32Array(0);
    this.replace({ kind: 'text/cobit', net, profile: { pdf: empty, cdf: empty, sigmas: empty, edges: empty }, tokenizer: new ByteTokenizer(), dir: '' });
    return Promise.resolve();
  }

  loss(batch: HostCobitBatch): tf.Scalar {
    const loaded = this.current();
    if (loaded.kind !== 'text/cobit') throw new InputError('not a CoBit model');
    return tf.tidy(() => cobitLossTerms(loaded.net, hostBatchTensors(batch)).loss);
  }
}

export class ArGenerator extends TextGenerator<ArConfig, { ids: Int32Array; batchSize: number }> {
  readonly name = 'text/ar' as const;
  readonly configSchema = arConfigSchema as unknown as z.ZodType<ArConfig>;

  async init(config: unknown, options: { readonly seed?: number } = {}): Promise<void> {
    this.replace({ kind: 'text/ar', model: new ArModel(parseArConfig(config), Rng.seeded(options.seed ?? 0)), tokenizer: new ByteTokenizer(), dir: '' });
    return Promise.resolve();
  }

  loss(batch: { ids: Int32Array; batchSize: number }): tf.Scalar {
    const loaded = this.current();
    if (loaded.kind !== 'text/ar') throw new InputError('not an AR model');
    return loaded.model.loss(batch.ids, batch.batchSize);
  }
}

export class BitlmGenerator extends TextGenerator<BitlmConfig, { windows: Int32Array; batchSize: number }> {
  readonly name = 'text/bitlm' as const;
  readonly configSchema = bitlmConfigSchema as unknown as z.ZodType<BitlmConfig>;

  async init(config: unknown, options: { readonly seed?: number } = {}): Promise<void> {
    this.replace({ kind: 'text/bitlm', model: new BitLm(parseBitlmConfig(config), Rng.seeded(options.seed ?? 0)), tokenizer: new ByteTokenizer(), dir: '' });
    return Promise.resolve();
  }

  /** The one-pass loss of windows [B, (m + 1)·k]; noise and self-conditioning drawn from `rng` (a fresh seed without one). */
  loss(batch: { windows: Int32Array; batchSize: number }, options: { readonly rng?: Rng } = {}): tf.Scalar {
    const loaded = this.current();
    if (loaded.kind !== 'text/bitlm') throw new InputError('not a BitLM model');
    const prepared = prepareBitlmBatch(loaded.model, batch.windows, batch.batchSize, resolveSeed(options.rng).rng);
    return bitlmLoss(loaded.model, prepared);
  }
}
