import { Module, Rng, parseConfig, tf } from '@nextx/core';
import { FrameAutoencoder } from '../autoencoder/frame-autoencoder.js';
import { tokenLayout, videoModelConfigSchema, type TokenLayout, type VideoModelConfig } from './config.js';
import { extrapolateFrames } from './global-motion.js';
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
   * model's conditioningFrames — led by the motion-compensated reference of each frame when the model has one (see
   * motionReferences); undefined for a model without it.
   */
  conditioningOf(tokens: tf.Tensor, frames: readonly number[], firstFrame?: Float32Array): tf.Tensor | undefined {
    const { lastFrameConditioning: conditioned, framesPerChunk, conditioningFrames } = this.config;
    if (!conditioned) return undefined;
    if (!this.config.motionCompensation) return lastFrameConditioning(tokens, frames, framesPerChunk, this.layout.tokensPerFrame, conditioningFrames);
    const starts = frames.filter((_, i) => i % framesPerChunk === 0);
    return tf.tidy(() => {
      const last = lastFrameConditioning(tokens, frames, framesPerChunk, this.layout.tokensPerFrame, conditioningFrames);
      // A run may end inside a chunk (the recomputing path's window): its references end where the run does.
      const references = tf.slice(this.motionReferences(tokens, frames, starts, firstFrame), [0, 0, 0], [-1, tokens.shape[1] as number, -1]);
      return tf.concat([references, last], 2);
    });
  }

  /**
   * Per chunk starting at frame f₀ (`chunkStarts`), the tokens of its frames' motion-compensated references: frame
   * f₀ − 1 decoded, moved on j frames by the motion from f₀ − 2 to f₀ − 1 (extrapolateFrames) and encoded again; zeros
   * where f₀ − 1 is not among `frames` (the video's start, after a gap), as the last-frame conditioning has there.
   * With motionReference 'first-frame' what is moved is frame 0's object, placed where f₀ − 1's is: frame 0 of
   * `frames`, or `firstFrame` (its decoded pixels, B × S × S) where `frames` lacks it — the last frame itself without either.
   * tokens [B, T·n, D] of the frames `frames` → [B, chunks·framesPerChunk·n, D]. Host work: no gradient flows through.
   */
  motionReferences(tokens: tf.Tensor, frames: readonly number[], chunkStarts: readonly number[], firstFrame?: Float32Array): tf.Tensor {
    const { framesPerChunk } = this.config;
    const { tokensPerFrame, tokenDim } = this.layout;
    const batch = tokens.shape[0] as number;
    const size = this.frameSize;
    const plane = size * size;
    const decoded = tf.tidy(() => this.tokensToFrames(tokens)).dataSync() as Float32Array;
    const frameAt = (b: number, f: number) => {
      const i = frames.indexOf(f);
      return i < 0 ? undefined : decoded.subarray((b * frames.length + i) * plane, (b * frames.length + i + 1) * plane);
    };
    const appearanceAt = this.appearanceFrames(frames, frameAt, firstFrame);
    const count = chunkStarts.length * framesPerChunk;
    const pixels = new Float32Array(batch * count * plane);
    const present = new Float32Array(batch * count);
    for (let b = 0; b < batch; b++) {
      chunkStarts.forEach((start, c) => {
        const last = frameAt(b, start - 1);
        if (!last) return;
        extrapolateFrames(last, frameAt(b, start - 2), size, framesPerChunk, this.config.motionEdges, appearanceAt(b)).forEach((frame, j) => {
          const at = b * count + c * framesPerChunk + j;
          pixels.set(frame, at * plane);
          present[at] = 1;
        });
      });
    }
    return tf.tidy(() => {
      const encoded = this.framesToTokens(tf.tensor4d(pixels, [batch, count, size, size]));
      const mask = tf.reshape(tf.tile(tf.tensor3d(present, [batch, count, 1]), [1, 1, tokensPerFrame]), [batch, count * tokensPerFrame, 1]);
      return tf.mul(tf.reshape(encoded, [batch, count * tokensPerFrame, tokenDim]), mask);
    });
  }

  /** Per video, the decoded frame whose object a 'first-frame' reference moves (see motionReferences); none for 'last-frame'. */
  private appearanceFrames(
    frames: readonly number[],
    frameAt: (b: number, f: number) => Float32Array | undefined,
    firstFrame: Float32Array | undefined,
  ): (b: number) => Float32Array | undefined {
    if (this.config.motionReference !== 'first-frame') return () => undefined;
    if (frames.includes(0) || !firstFrame) return (b) => frameAt(b, 0);
    const plane = this.frameSize * this.frameSize;
    return (b) => firstFrame.subarray(b * plane, (b + 1) * plane);
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
