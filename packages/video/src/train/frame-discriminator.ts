import { Conv2d, Module, Rng, tf } from '@nextx/core';

export interface FrameDiscriminatorOptions {
  /** Frames judged with each frame: those it was conditioned on (0 = the frame alone). */
  readonly conditioningFrames: number;
  /** Channels of the first layer (the second has twice as many). */
  readonly hidden: number;
  readonly rng?: Rng;
}

/**
 * A PatchGAN discriminator (Isola et al. 2017) on decoded frames: each frame, alone or stacked on the channel axis
 * with the frames it was conditioned on (then it judges the motion as well as the look); two strided 4 × 4 convolutions and
 * a 3 × 3 one give a logit per (S/4)² patch of about 18 × 18 pixels — an item's size here.
 * [N, S, S, 1 + conditioningFrames] → [N, S/4, S/4].
 */
export class FrameDiscriminator extends Module {
  readonly layers: readonly Conv2d[];
  readonly conditioningFrames: number;

  constructor(options: FrameDiscriminatorOptions) {
    super();
    this.conditioningFrames = options.conditioningFrames;
    const rng = options.rng ?? Rng.seeded(0);
    const h = options.hidden;
    this.layers = [
      this.addModule('down1', new Conv2d(1 + options.conditioningFrames, h, 4, { stride: 2, padding: 1, rng: rng.fork() })),
      this.addModule('down2', new Conv2d(h, 2 * h, 4, { stride: 2, padding: 1, rng: rng.fork() })),
      this.addModule('out', new Conv2d(2 * h, 1, 3, { padding: 1, rng: rng.fork() })),
    ];
  }

  /** Patch logits; `frozen`: the weights pass no gradient (the generator's side), only the input does. */
  logits(frames: tf.Tensor4D, frozen = false): tf.Tensor3D {
    return tf.tidy(() => {
      let x: tf.Tensor4D = frames;
      this.layers.forEach((layer, i) => {
        x = layer.forward(x, { frozen });
        if (i < this.layers.length - 1) x = tf.leakyRelu(x, 0.2);
      });
      const [n, h, w] = x.shape;
      return tf.reshape(x, [n, h, w]);
    });
  }
}
