import { tf } from '../tf.js';
import type { Rng } from '../rng/rng.js';
import { Conv2d } from './conv2d.js';
import { Dropout } from './dropout.js';
import { GroupNorm, groupNormSiluSteps } from './group-norm.js';
import { Module } from './module.js';
import { pipe } from './pipe.js';

/** Options of the convolutional blocks of VAR's VQVAE (and of other conv autoencoders built from them). */
export interface ConvBlockOptions {
  readonly numGroups: number;
  readonly eps: number;
  /** Dropout before conv2 in training (official `dropout`; 0, the released value, means none). */
  readonly dropout?: number;
  readonly rng: Rng;
}

/**
 * The residual block of VAR's VQVAE (official `basic_vae.ResnetBlock`, the LDM/taming block), NHWC:
 * h = conv1(SiLU(norm1(x))); h = conv2(dropout(SiLU(norm2(h)))); out = skip(x) + h, skip a 1×1 `nin_shortcut` when
 * the width changes. The dropout exists, as in the official code, only when its rate is above 1e-6.
 */
export class ResnetBlock extends Module {
  readonly norm1: GroupNorm;
  readonly conv1: Conv2d;
  readonly norm2: GroupNorm;
  readonly dropout: Dropout | undefined;
  readonly conv2: Conv2d;
  readonly ninShortcut: Conv2d | undefined;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    options: ConvBlockOptions,
  ) {
    super();
    const { numGroups, eps, rng } = options;
    this.norm1 = this.addModule('norm1', new GroupNorm(numGroups, inChannels, { eps }));
    this.conv1 = this.addModule('conv1', new Conv2d(inChannels, outChannels, 3, { padding: 1, rng }));
    this.norm2 = this.addModule('norm2', new GroupNorm(numGroups, outChannels, { eps }));
    const rate = options.dropout ?? 0;
    this.dropout = rate > 1e-6 ? this.addModule('dropout', new Dropout(rate, { rng: rng.fork() })) : undefined;
    this.conv2 = this.addModule('conv2', new Conv2d(outChannels, outChannels, 3, { padding: 1, rng }));
    this.ninShortcut =
      inChannels === outChannels ? undefined : this.addModule('nin_shortcut', new Conv2d(inChannels, outChannels, 1, { rng }));
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const h = pipe(
        x,
        ...groupNormSiluSteps(this.norm1),
        (t) => this.conv1.forward(t as tf.Tensor4D),
        ...groupNormSiluSteps(this.norm2),
        (t) => (this.dropout ? this.dropout.forward(t) : t),
        (t) => this.conv2.forward(t as tf.Tensor4D),
      );
      const skip = this.ninShortcut ? this.ninShortcut.forward(x) : x;
      return tf.add(skip, h) as tf.Tensor4D;
    });
  }
}
