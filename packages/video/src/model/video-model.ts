import { Module, Rng, parseConfig, tf } from '@nextx/core';
import { FrameAutoencoder } from '../autoencoder/frame-autoencoder.js';
import { tokenLayout, videoModelConfigSchema, type TokenLayout, type VideoModelConfig } from './config.js';
import { lastFrameConditioning } from './last-frame.js';
import { VideoTransformer } from './video-transformer.js';

/**
 * Frames ↔ tokens ↔ the chunk transformer. A frame is encoded by the autoencoder to latents [S/4, S/4, C],
 * standardised ((z − mean)·scale) and cut into patch × patch tokens in row-major order; a chunk is
 * `framesPerChunk` consecutive frames. Weights: `autoencoder.*` and `transformer.*`.
 */
export class VideoModel extends Module {
  readonly config: VideoModelConfig;
  readonly layout: TokenLayout;
  readonly autoencoder: FrameAutoencoder;
  readonly transformer: VideoTransformer;

  constructor(config: unknown = {}, options: { seed?: number } = {}) {
    super();
    this.config = parseConfig(videoModelConfigSchema, config, 'video model config');
    this.layout = tokenLayout(this.config);
    const rng = Rng.seeded(options.seed ?? 0);
    this.autoencoder = this.addModule('autoencoder', new FrameAutoencoder(this.config.autoencoder, { rng: rng.fork() }));
    this.transformer = this.addModule('transformer', new VideoTransformer(this.config, this.layout, rng.fork()));
  }

  get frameSize(): number {
    return this.config.data.size;
  }

  /** Frames [B, T, S, S] in [0, 1] → tokens [B, T·tokensPerFrame, tokenDim]. */
  framesToTokens(frames: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [batch, count, size] = frames.shape as [number, number, number, number];
      const latents = this.autoencoder.encode(tf.reshape(frames, [batch * count, size, size, 1]) as tf.Tensor4D);
      const standard = tf.mul(tf.sub(latents, this.config.latentMean), this.config.latentScale);
      return this.patchify(standard, batch, count);
    });
  }

  /** Tokens [B, T·tokensPerFrame, tokenDim] → frames [B, T, S, S] in (0, 1). */
  tokensToFrames(tokens: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [batch, length] = tokens.shape as [number, number, number];
      const count = length / this.layout.tokensPerFrame;
      const latents = tf.add(tf.div(this.unpatchify(tokens, batch, count), this.config.latentScale), this.config.latentMean);
      const frames = this.autoencoder.decode(latents as tf.Tensor4D);
      return tf.reshape(frames, [batch, count, this.frameSize, this.frameSize]);
    });
  }

  /**
   * The last-frame conditioning of a run of whole frames' tokens [B, F·n, D] (`frames`: their indices), with the
   * model's conditioningFrames; undefined for a model without it.
   */
  conditioningOf(tokens: tf.Tensor, frames: readonly number[]): tf.Tensor | undefined {
    const { lastFrameConditioning: conditioned, framesPerChunk, conditioningFrames } = this.config;
    return conditioned ? lastFrameConditioning(tokens, frames, framesPerChunk, this.layout.tokensPerFrame, conditioningFrames) : undefined;
  }

  /** Latents [B·T, s, s, C] → tokens [B, T·side², p²·C] (row-major token grid, each token's cells row-major). */
  private patchify(latents: tf.Tensor, batch: number, count: number): tf.Tensor {
    const p = this.config.patch;
    const { side, tokenDim } = this.layout;
    const c = this.config.autoencoder.latentChannels;
    const grid = tf.reshape(latents, [batch * count, side, p, side, p, c]);
    return tf.reshape(tf.transpose(grid, [0, 1, 3, 2, 4, 5]), [batch, count * side * side, tokenDim]);
  }

  private unpatchify(tokens: tf.Tensor, batch: number, count: number): tf.Tensor {
    const p = this.config.patch;
    const { side } = this.layout;
    const c = this.config.autoencoder.latentChannels;
    const grid = tf.reshape(tokens, [batch * count, side, side, p, p, c]);
    return tf.reshape(tf.transpose(grid, [0, 1, 3, 2, 4, 5]), [batch * count, side * p, side * p, c]);
  }
}
