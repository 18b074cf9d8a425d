import { Conv2d, Module, Rng, parseConfig, silu, tf } from '@nextx/core';
import { autoencoderConfigSchema, type AutoencoderConfig } from './config.js';

/**
 * A small convolutional autoencoder for frames: [N, S, S, 1] intensities in [0, 1] ↔ latents [N, S/4, S/4, C].
 * Encoder: 3×3 conv, two 4×4 stride-2 convs, a 3×3 conv to C channels (SiLU between). Decoder: a 3×3 conv, twice
 * nearest ×2 up-sampling followed by a 3×3 conv, and a 3×3 conv to one channel through a sigmoid. Trained here on
 * moving-objects frames with a pixel MSE (train/train-autoencoder.ts); the video transformer works in its latents.
 */
export class FrameAutoencoder extends Module {
  readonly config: AutoencoderConfig;
  private readonly encoder: Conv2d[];
  private readonly decoder: Conv2d[];

  constructor(config: unknown = {}, options: { rng?: Rng } = {}) {
    super();
    this.config = parseConfig(autoencoderConfigSchema, config, 'autoencoder config');
    const rng = options.rng ?? Rng.seeded(0);
    const [a, b] = this.config.widths;
    const c = this.config.latentChannels;
    const conv = (name: string, cin: number, cout: number, k: number, stride = 1) =>
      this.addModule(name, new Conv2d(cin, cout, k, { stride, padding: k === 4 ? 1 : (k - 1) / 2, rng: rng.fork() }));
    this.encoder = [conv('enc_in', 1, a, 3), conv('enc_down1', a, b, 4, 2), conv('enc_down2', b, b, 4, 2), conv('enc_out', b, c, 3)];
    this.decoder = [conv('dec_in', c, b, 3), conv('dec_up1', b, b, 3), conv('dec_up2', b, a, 3), conv('dec_out', a, 1, 3)];
  }

  /** Latent cells per frame side (frameSize / 4). */
  get latentSize(): number {
    return this.config.frameSize / 4;
  }

  /** frames [N, S, S, 1] in [0, 1] → latents [N, S/4, S/4, C]. */
  encode(frames: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let h = tf.sub(tf.mul(frames, 2), 1) as tf.Tensor4D;
      this.encoder.forEach((conv, i) => {
        h = conv.forward(h);
        if (i < this.encoder.length - 1) h = silu(h) as tf.Tensor4D;
      });
      return h;
    });
  }

  /** latents [N, S/4, S/4, C] → frames [N, S, S, 1] in (0, 1). */
  decode(latents: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [inConv, up1, up2, outConv] = this.decoder as [Conv2d, Conv2d, Conv2d, Conv2d];
      let h = silu(inConv.forward(latents)) as tf.Tensor4D;
      for (const conv of [up1, up2]) {
        const [, height, width] = h.shape;
        h = silu(conv.forward(tf.image.resizeNearestNeighbor(h, [2 * height, 2 * width]))) as tf.Tensor4D;
      }
      return tf.sigmoid(outConv.forward(h)) as tf.Tensor4D;
    });
  }

  /** Pixel MSE of the reconstruction plus a small latent L2 (keeps the latent scale from drifting). */
  loss(frames: tf.Tensor4D, latentWeight = 1e-4): tf.Scalar {
    return tf.tidy(() => {
      const z = this.encode(frames);
      const mse = tf.mean(tf.square(tf.sub(this.decode(z), frames)));
      return tf.add(mse, tf.mul(tf.mean(tf.square(z)), latentWeight)) as tf.Scalar;
    });
  }
}
