import type { tf} from '@nextx/core';
import { Conv2d, Module, type Rng } from '@nextx/core';

/**
 * Official `Downsample2x`: pad one zero column on the right and one zero row at the bottom, then a 3×3 conv with
 * stride 2 and no padding (halves the side). NHWC.
 */
export class Downsample2x extends Module {
  readonly conv: Conv2d;

  constructor(channels: number, rng: Rng) {
    super();
    this.conv = this.addModule('conv', new Conv2d(channels, channels, 3, { stride: 2, padding: [0, 1, 0, 1], rng }));
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return this.conv.forward(x);
  }
}
