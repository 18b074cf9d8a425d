import { tf, InputError, Module, VectorQuantizer, type Rng, type TokenBatch, type Tokenizer, type TokenSpace } from '@nextx/core';
import { tokenGridSize, type MriNasConfig } from '../mri-nas/config.js';
import { ConvDecoder, ConvEncoder } from './conv-autoencoder.js';

/** Level images: [B, K, H, W, 2] (re, im channels), level 0 the most accelerated. */
export type LevelImages = tf.Tensor5D;

// A type alias so that tf.tidy accepts it as a TensorContainer.
export type LevelQuantization = {
  /** Token ids of each level, [B, h·w] int32. */
  readonly indices: tf.Tensor2D[];
  /** f̂ after each level, [B, h, w, C]: the sum of the codewords of levels 0…k. */
  readonly fhats: tf.Tensor4D[];
  /** Σ over levels of the VQ commitment + codebook losses. */
  readonly vqLoss: tf.Scalar;
  /** The residuals each level quantized, [B·K·h·w, C] (for dead-code restarts). */
  readonly residuals: tf.Tensor2D;
};

/**
 * The tokenizer of next-acceleration-scale prediction: a convolutional VQ autoencoder whose one codebook is shared by
 * every acceleration level, additive over levels (our reading of the paper's "additive multi-input VQ-VAE"; the
 * paper has no code). Each level's image x_k is encoded by the same encoder, f_k = E(x_k); level k quantizes what the
 * levels before it left, z_k = Q(f_k − f̂_{k−1}), and f̂_k = f̂_{k−1} + e[z_k]; the decoder maps f̂_k back to x_k.
 * It is VAR's residual quantization with the acceleration in place of the resolution: every level is a full token grid.
 */
export class AccelerationTokenizer extends Module implements Tokenizer<LevelImages> {
  readonly name = 'medical/acceleration-vq';
  readonly space: TokenSpace;
  readonly encoder: ConvEncoder;
  readonly decoder: ConvDecoder;
  readonly quantize: VectorQuantizer;
  readonly grid: number;
  readonly numLevels: number;

  constructor(
    readonly config: MriNasConfig,
    rng: Rng,
  ) {
    super();
    const t = config.tokenizer;
    const options = { channels: t.channels, inChannels: 2, latentDim: t.latentDim, numGroups: t.numGroups };
    this.encoder = this.addModule('encoder', new ConvEncoder(options, rng.fork()));
    this.decoder = this.addModule('decoder', new ConvDecoder(options, rng.fork()));
    this.quantize = this.addModule('quantize', new VectorQuantizer({ numEmbeddings: t.codebookSize, embeddingDim: t.latentDim, beta: t.beta }, rng.fork()));
    this.grid = tokenGridSize(config);
    this.numLevels = config.accelerations.length;
    this.space = { kind: 'multiscale', scales: config.accelerations.map(() => this.grid), size: t.codebookSize };
  }

  private checkImages(images: tf.Tensor, what: string): void {
    const n = this.config.imageSize;
    if (images.rank !== 5 || images.shape[2] !== n || images.shape[3] !== n || images.shape[4] !== 2 || (images.shape[1] as number) > this.numLevels) {
      throw new InputError(`${what}: expected level images [B, ≤${this.numLevels}, ${n}, ${n}, 2]; got [${images.shape.join(', ')}]`);
    }
  }

  /** f_k = E(x_k) for every level: [B, K, H, W, 2] → K tensors [B, h, w, C]. */
  encodeLatents(images: LevelImages): tf.Tensor4D[] {
    this.checkImages(images, 'tokenizer input');
    return tf.tidy(() => {
      const [B, K, H, W] = images.shape as [number, number, number, number, number];
      const f = this.encoder.forward(tf.reshape(images, [B * K, H, W, 2]) as tf.Tensor4D);
      const [, h, w, c] = f.shape;
      return tf.unstack(tf.reshape(f, [B, K, h, w, c]), 1) as tf.Tensor4D[];
    });
  }

  /** Residual quantization across levels with the shared codebook (straight-through, so f̂ carries gradients to E). */
  quantizeLevels(latents: readonly tf.Tensor4D[]): LevelQuantization {
    return tf.tidy(() => {
      const indices: tf.Tensor2D[] = [];
      const fhats: tf.Tensor4D[] = [];
      const residuals: tf.Tensor[] = [];
      let vqLoss = tf.scalar(0);
      let fhat: tf.Tensor4D | undefined;
      for (const f of latents) {
        const residual = fhat ? (tf.sub(f, fhat) as tf.Tensor4D) : f;
        const q = this.quantize.forward(residual);
        const [B, h, w] = residual.shape;
        indices.push(tf.reshape(q.indices, [B, h * w]) as tf.Tensor2D);
        fhat = (fhat ? tf.add(fhat, q.quantized) : q.quantized) as tf.Tensor4D;
        fhats.push(fhat);
        residuals.push(tf.reshape(residual, [-1, this.config.tokenizer.latentDim]));
        vqLoss = tf.add(vqLoss, q.loss);
      }
      return { indices, fhats, vqLoss, residuals: tf.concat(residuals, 0) as tf.Tensor2D };
    });
  }

  /** Codewords of ids [B, h·w] as a latent grid [B, h, w, C]. */
  lookup(ids: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => tf.reshape(this.quantize.lookup(ids), [ids.shape[0], this.grid, this.grid, this.config.tokenizer.latentDim]) as tf.Tensor4D);
  }

  /** D(f̂): [B, h, w, C] → images [B, H, W, 2]. */
  decodeLatent(fhat: tf.Tensor4D): tf.Tensor4D {
    return this.decoder.forward(fhat);
  }

  /** Tokens of every level given: [B, K', H, W, 2] → K' id maps [B, h·w]. */
  encode(images: LevelImages): TokenBatch {
    return tf.tidy(() => {
      const q = this.quantizeLevels(this.encodeLatents(images));
      return { space: this.space, tensors: q.indices.map((t) => tf.keep(t)) };
    });
  }

  /** The image of every level the tokens reach: K' id maps → [B, K', H, W, 2] (D(f̂_k) for each k). */
  decode(tokens: TokenBatch): LevelImages {
    if (!tokens.tensors.length || tokens.tensors.length > this.numLevels) throw new InputError(`tokenizer decode: ${tokens.tensors.length} levels of tokens for a ${this.numLevels}-level tokenizer`);
    return tf.tidy(() => {
      let fhat: tf.Tensor4D | undefined;
      const images = tokens.tensors.map((ids) => {
        const e = this.lookup(ids as tf.Tensor2D);
        fhat = (fhat ? tf.add(fhat, e) : e) as tf.Tensor4D;
        return this.decodeLatent(fhat);
      });
      return tf.stack(images, 1) as LevelImages;
    });
  }

  /**
   * Training loss of a batch of level images: mean |D(f̂_k) − x_k| over the levels in `decodeLevels` (default every
   * level) plus the VQ losses of every level. Returns the residuals too, for dead-code restarts.
   */
  trainingLoss(images: LevelImages, decodeLevels?: readonly number[]): { loss: tf.Scalar; reconstruction: tf.Scalar; residuals: tf.Tensor2D } {
    return tf.tidy(() => {
      const q = this.quantizeLevels(this.encodeLatents(images));
      const levels = decodeLevels ?? q.fhats.map((_, k) => k);
      const [B, , H, W] = images.shape;
      const fhat = tf.concat(levels.map((k) => q.fhats[k] as tf.Tensor4D), 0) as tf.Tensor4D;
      const target = tf.concat(levels.map((k) => tf.reshape(tf.slice(images, [0, k, 0, 0, 0], [-1, 1, -1, -1, -1]), [B, H, W, 2])), 0);
      const reconstruction = tf.mean(tf.abs(tf.sub(this.decodeLatent(fhat), target))) as tf.Scalar;
      return { loss: tf.add(reconstruction, q.vqLoss) as tf.Scalar, reconstruction, residuals: q.residuals };
    });
  }
}
