import { tf, InputError, Module, VectorQuantizer, type Rng, type TokenSpace } from '@nextx/core';
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
 * The tokenizer of next-acceleration-scale prediction, our reading of the paper's "additive multi-input VQ-VAE" (the
 * paper has no code): a convolutional VQ autoencoder with one codebook shared by every acceleration level.
 *  - Levels add up: each level's image x_k is encoded by the same encoder, f_k = E(x_k); level k quantizes what the
 *    levels before it left, z_k = Q(f_k − f̂_{k−1}), and f̂_k = f̂_{k−1} + e[z_k] — VAR's residual quantization with
 *    the acceleration in place of the resolution (every level is a full token grid).
 *  - The decoder has two inputs: f̂_k and the measured image x_m (the zero-filled image of the acquired level), whose
 *    features (a second encoder, `cond_encoder`) are added to the decoder's at every resolution; it predicts the
 *    correction to x_m: x̂_k = x_m + D(f̂_k, C(x_m)). The tokens so carry what the measurement lacks.
 */
export class AccelerationTokenizer extends Module {
  readonly name = 'medical/acceleration-vq';
  readonly space: TokenSpace;
  readonly encoder: ConvEncoder;
  readonly condEncoder: ConvEncoder;
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
    this.condEncoder = this.addModule('cond_encoder', new ConvEncoder(options, rng.fork()));
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

  /** Token ids of every level given, [B, K', H, W, 2] → K' id maps [B, h·w]. */
  encode(images: LevelImages): tf.Tensor2D[] {
    return tf.tidy(() => this.quantizeLevels(this.encodeLatents(images)).indices);
  }

  /** Codewords of ids [B, h·w] as a latent grid [B, h, w, C]. */
  lookup(ids: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => tf.reshape(this.quantize.lookup(ids), [ids.shape[0], this.grid, this.grid, this.config.tokenizer.latentDim]) as tf.Tensor4D);
  }

  /** x̂ = x_m + D(f̂, C(x_m)) (f̂ / rms(f̂) with `normalizeLatent`): f̂ [B, h, w, C] and the measured images [B, H, W, 2] → images [B, H, W, 2]. */
  decodeLatent(fhat: tf.Tensor4D, measured: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const z = this.config.tokenizer.normalizeLatent ? tf.div(fhat, tf.sqrt(tf.add(tf.mean(tf.square(fhat), [1, 2, 3], true), 1e-12))) : fhat;
      return tf.add(measured, this.decoder.forward(z as tf.Tensor4D, this.condEncoder.features(measured))) as tf.Tensor4D;
    });
  }

  /** The image of every level the token maps reach (D of f̂_k for each k), given the measured images [B, H, W, 2]. */
  decode(tokens: readonly tf.Tensor2D[], measured: tf.Tensor4D): LevelImages {
    if (!tokens.length || tokens.length > this.numLevels) throw new InputError(`tokenizer decode: ${tokens.length} levels of tokens for a ${this.numLevels}-level tokenizer`);
    return tf.tidy(() => {
      let fhat: tf.Tensor4D | undefined;
      const images = tokens.map((ids) => {
        const e = this.lookup(ids);
        fhat = (fhat ? tf.add(fhat, e) : e) as tf.Tensor4D;
        return this.decodeLatent(fhat, measured);
      });
      return tf.stack(images, 1) as LevelImages;
    });
  }

  /**
   * Training loss of a batch of level images with each sample's measured level: mean |x̂_k − x_k| over, per sample,
   * the fully sampled level and one level drawn from the measured one up (the levels generation decodes), plus the VQ
   * losses of every level.
   */
  trainingLoss(images: LevelImages, inputLevels: Int32Array, rng: Rng): tf.Scalar {
    const K = images.shape[1];
    const B = images.shape[0];
    const drawn = Int32Array.from(inputLevels, (i0) => rng.int(i0, K - 2));
    return tf.tidy(() => {
      const q = this.quantizeLevels(this.encodeLatents(images));
      const [, , H, W] = images.shape;
      const flatImages = tf.reshape(images, [B * K, H, W, 2]);
      const flatFhats = tf.reshape(tf.stack(q.fhats, 1), [B * K, this.grid, this.grid, -1]);
      const rows = (levels: ArrayLike<number>) => tf.tensor1d(Int32Array.from({ length: B }, (_, b) => b * K + (levels[b] as number)), 'int32');
      const measured = tf.gather(flatImages, rows(inputLevels)) as tf.Tensor4D;
      const picks = [rows(new Int32Array(B).fill(K - 1)), rows(drawn)];
      const fhat = tf.concat(picks.map((r) => tf.gather(flatFhats, r)), 0) as tf.Tensor4D;
      const target = tf.concat(picks.map((r) => tf.gather(flatImages, r)), 0);
      const reconstruction = tf.mean(tf.abs(tf.sub(this.decodeLatent(fhat, tf.concat([measured, measured], 0) as tf.Tensor4D), target)));
      return tf.add(reconstruction, q.vqLoss) as tf.Scalar;
    });
  }
}
