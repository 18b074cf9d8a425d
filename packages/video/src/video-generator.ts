import type { z } from 'zod';
import { InputError, ensureBackend, resolveSeed, type GenerateChunk, type GenerateOptions, type Generator, type Rng, type tf } from '@nextx/core';
import { generateVideo, type VideoChunk, type VideoRequestInput } from './generate/generate.js';
import { loadVideoModel, saveVideoModel } from './model/checkpoint.js';
import { videoModelConfigSchema, type VideoModelConfig } from './model/config.js';
import { VideoModel } from './model/video-model.js';
import { MaskCache, flowMatchingLoss, samplerGrid } from './train/flow-matching-loss.js';
import type { VideoBatch } from './train/video-batch-source.js';

/** `video/stream` as the registry resolves it: the Generator contract over a VideoModel. */
export class VideoGenerator implements Generator<VideoRequestInput, VideoChunk, VideoModelConfig, VideoBatch> {
  readonly name = 'video/stream';
  readonly configSchema = videoModelConfigSchema as unknown as z.ZodType<VideoModelConfig>;
  private current: VideoModel | undefined;
  private readonly masks = new MaskCache();

  /** A fresh, randomly initialised model for a config. */
  async init(config: unknown, options: { readonly seed?: number } = {}): Promise<void> {
    await ensureBackend();
    this.replace(new VideoModel(config, options.seed === undefined ? {} : { seed: options.seed }));
  }

  async load(dir: string): Promise<void> {
    await ensureBackend();
    this.replace(loadVideoModel(dir));
  }

  async save(dir: string): Promise<void> {
    saveVideoModel(this.model, dir);
    return Promise.resolve();
  }

  /** The teacher-forced flow-matching loss of a batch (levels and noise from `options.rng`; a fresh seed without one). */
  loss(batch: VideoBatch, options: { readonly rng?: Rng } = {}): tf.Scalar {
    const model = this.model;
    const { sampling } = model.config.generation;
    return flowMatchingLoss(model, batch, resolveSeed(options.rng).rng, { perFrameNoise: 0.25, gridProbability: 0.3, grid: samplerGrid(sampling.steps, sampling.shift) }, this.masks);
  }

  generate(request: VideoRequestInput, options: GenerateOptions = {}): AsyncIterable<GenerateChunk<VideoChunk>> {
    return generateVideo(this.model, request, options);
  }

  get model(): VideoModel {
    if (!this.current) throw new InputError('video/stream has no weights yet: call init(config) or load(dir) first');
    return this.current;
  }

  dispose(): void {
    this.current?.dispose();
    this.current = undefined;
    this.masks.dispose();
  }

  private replace(model: VideoModel): void {
    this.current?.dispose();
    this.current = model;
  }
}
