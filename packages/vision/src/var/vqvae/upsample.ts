import { tf, Conv2d, Module, type Rng } from '@nextx/core';

/** Official `Upsample2x`: nearest ×2 (`F.interpolate(scale_factor=2, mode='nearest')`), then a 3×3 conv, padding 1. */
export class Upsample2x extends Module {
  readonly conv: Conv2d;

  constructor(channels: number, rng: Rng) {
    super();
    this.conv = this.addModule('conv', new Conv2d(channels, channels, 3, { padding: 1, rng }));
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [, h, w] = x.shape;
      // tfjs's nearest (alignCorners and halfPixelCenters off) reads input ⌊i/2⌋, exactly torch's 'nearest'.
      return this.conv.forward(tf.image.resizeNearestNeighbor(x, [2 * h, 2 * w], false, false));
    });
  }
}
