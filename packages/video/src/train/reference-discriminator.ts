import { Conv2d, Module, Rng, tf } from '@nextx/core';

export interface ReferenceDiscriminatorOptions {
  /** Channels of the first layer (the others have twice as many). */
  readonly hidden: number;
  readonly rng?: Rng;
}

/**
 * Judges whether a frame shows the items of a reference frame — the video's first, which a rolling cache keeps as its
 * sink — wherever each of them is now. A patch discriminator cannot: its patches see one neighbourhood of both frames,
 * and after a while the items are far from where they started. Here a shared convolutional trunk describes each
 * frame by its features' maximum and mean over the whole frame (both translation-invariant: the maximum says what the
 * frame contains, the mean also how much of it — with the maximum alone, extra fragments cost nothing), and a 1 × 1
 * head scores the pair from [a, b, a·b, |a − b|]. [N, S, S, 1] × [N, S, S, 1] → [N].
 */
export class ReferenceDiscriminator extends Module {
  private readonly trunk: readonly Conv2d[];
  private readonly pair: Conv2d;
  private readonly out: Conv2d;

  constructor(options: ReferenceDiscriminatorOptions) {
    super();
    const rng = options.rng ?? Rng.seeded(0);
    const h = options.hidden;
    this.trunk = [
      this.addModule('down1', new Conv2d(1, h, 4, { stride: 2, padding: 1, rng: rng.fork() })),
      this.addModule('down2', new Conv2d(h, 2 * h, 4, { stride: 2, padding: 1, rng: rng.fork() })),
      this.addModule('features', new Conv2d(2 * h, 2 * h, 3, { padding: 1, rng: rng.fork() })),
    ];
    this.pair = this.addModule('pair', new Conv2d(16 * h, h, 1, { rng: rng.fork() }));
    this.out = this.addModule('out', new Conv2d(h, 1, 1, { rng: rng.fork() }));
  }

  /** One logit per (frame, reference) pair; `frozen`: the weights pass no gradient, only the inputs do. */
  logits(frames: tf.Tensor4D, references: tf.Tensor4D, frozen = false): tf.Tensor1D {
    return tf.tidy(() => {
      const [a, b] = [this.describe(frames, frozen), this.describe(references, frozen)];
      let x = tf.concat([a, b, tf.mul(a, b), tf.abs(tf.sub(a, b))], 3) as tf.Tensor4D;
      x = tf.leakyRelu(this.pair.forward(x, { frozen }), 0.2);
      return tf.reshape(this.out.forward(x, { frozen }), [-1]) as tf.Tensor1D;
    });
  }

  /** [N, S, S, 1] → [N, 1, 1, 4·hidden]: the trunk's features, their maximum and their mean over the frame. */
  private describe(frames: tf.Tensor4D, frozen: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let x = frames;
      for (const layer of this.trunk) x = tf.leakyRelu(layer.forward(x, { frozen }), 0.2);
      return tf.concat([tf.max(x, [1, 2], true), tf.mean(x, [1, 2], true)], 3) as tf.Tensor4D;
    });
  }
}
