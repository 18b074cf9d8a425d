import { tf } from '../tf.js';
import type { Rng } from '../rng/rng.js';
import { Conv2d } from './conv2d.js';
import { Module } from './module.js';

/**
 * VAR's `basic_vae.Downsample2x`: pad one zero column on the right and one zero row at the bottom, then a 3×3 conv
 * with stride 2 and no padding (halves the side). NHWC. `outChannels` (default: the same) widens it.
 */
export class Downsample2x extends Module {
  readonly conv: Conv2d;

  constructor(channels: number, rng: Rng, outChannels = channels) {
    super();
    this.conv = this.addModule('conv', new Conv2d(channels, outChannels, 3, { stride: 2, padding: [0, 1, 0, 1], rng }));
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return this.conv.forward(x);
  }
}

/** VAR's `basic_vae.Upsample2x`: nearest ×2 (`F.interpolate(scale_factor=2, mode='nearest')`), then a 3×3 conv, padding 1. */
export class Upsample2x extends Module {
  readonly conv: Conv2d;

  constructor(channels: number, rng: Rng, outChannels = channels) {
    super();
    this.conv = this.addModule('conv', new Conv2d(channels, outChannels, 3, { padding: 1, rng }));
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [, h, w] = x.shape;
      // tfjs's nearest (alignCorners and halfPixelCenters off) reads input ⌊i/2⌋, exactly torch's 'nearest'.
      return this.conv.forward(tf.image.resizeNearestNeighbor(x, [2 * h, 2 * w], false, false));
    });
  }
}
