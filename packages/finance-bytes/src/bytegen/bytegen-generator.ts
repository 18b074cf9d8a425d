import type { z } from 'zod';
import { InputError, parseConfig, type ByteBatch, type GenerateChunk, type GenerateOptions, type Generator, type tf } from '@nextx/core';
import type { LobEvent } from '../events/lob-event.js';
import { byteGenConfigSchema, type ByteGenConfig } from './config.js';
import { createByteGen, loadByteGen, saveByteGen, type LoadedByteGen } from './checkpoint.js';
import { generateEvents, type GeneratedEvents } from './generate.js';
import type { ConstraintLevel } from './event-constraint.js';

/** What `finance-bytes/bytegen` generates from: the history to continue and how much. */
export interface ByteGenRequest {
  readonly history: readonly LobEvent[];
  readonly eventsPerStream: number;
  readonly streams?: number;
  readonly constraint?: ConstraintLevel;
  readonly temperature?: number;
}

/** `finance-bytes/bytegen` as the registry resolves it: the Generator contract over a ByteGen model. */
export class ByteGenGenerator implements Generator<ByteGenRequest, GeneratedEvents, ByteGenConfig, ByteBatch> {
  readonly name = 'finance-bytes/bytegen';
  readonly configSchema = byteGenConfigSchema as unknown as z.ZodType<ByteGenConfig>;
  private loaded: LoadedByteGen | undefined;

  async init(config: unknown, options: { readonly seed?: number } = {}): Promise<void> {
    const parsed = parseConfig(byteGenConfigSchema, config, 'ByteGen config');
    this.replace(createByteGen({ ...parsed, seed: options.seed ?? parsed.seed }));
    return Promise.resolve();
  }

  async load(dir: string): Promise<void> {
    this.replace(loadByteGen(dir));
    return Promise.resolve();
  }

  async save(dir: string): Promise<void> {
    saveByteGen(dir, this.model());
    return Promise.resolve();
  }

  loss(batch: ByteBatch): tf.Scalar {
    return this.model().model.loss(batch.inputs, batch.targets, batch.batchSize, batch.seqLen).total;
  }

  generate(request: ByteGenRequest, options: GenerateOptions = {}): AsyncIterable<GenerateChunk<GeneratedEvents>> {
    const { model, config } = this.model();
    return generateEvents(model, {
      ...request,
      windowBytes: config.windowBytes,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.sampler ? { sampler: options.sampler } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  }

  dispose(): void {
    this.loaded?.model.module.dispose();
    this.loaded = undefined;
  }

  private replace(next: LoadedByteGen): void {
    this.dispose();
    this.loaded = next;
  }

  private model(): LoadedByteGen {
    if (!this.loaded) throw new InputError('finance-bytes/bytegen has no weights yet: call init(config) or load(dir) first');
    return this.loaded;
  }
}
