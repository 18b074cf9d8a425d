import { tf } from '../tf.js';
import { Rng } from '../rng/rng.js';
import { Module } from './module.js';
import { torchDefaultInit } from './init.js';
import { stopGradient } from './stop-gradient.js';

/** PyTorch padding: one number for all sides, [rows, cols], or explicit [top, bottom, left, right]. */
export type Conv2dPadding = number | readonly [number, number] | readonly [number, number, number, number];

export interface Conv2dOptions {
  readonly stride?: number | readonly [number, number];
  readonly padding?: Conv2dPadding;
  readonly groups?: number;
  readonly bias?: boolean;
  readonly rng?: Rng;
}

/**
 * torch.nn.Conv2d semantics (cross-correlation, zero padding, stride, groups) on NHWC tensors.
 * The filter is kept as tfjs's [kh, kw, in/groups, out]; torch's [out, in/groups, kh, kw] converts at load.
 */
export class Conv2d extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;
  readonly stride: [number, number];
  readonly padding: [number, number, number, number];
  readonly groups: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number | readonly [number, number],
    options: Conv2dOptions = {},
  ) {
    super();
    const [kh, kw] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    this.groups = options.groups ?? 1;
    if (inChannels % this.groups || outChannels % this.groups) {
      throw new RangeError(`Conv2d: channels ${inChannels}→${outChannels} are not divisible by groups ${this.groups}`);
    }
    const stride = options.stride ?? 1;
    this.stride = typeof stride === 'number' ? [stride, stride] : [stride[0], stride[1]];
    this.padding = expandPadding(options.padding ?? 0);
    const rng = options.rng ?? Rng.seeded(0);
    const fanIn = (inChannels / this.groups) * kh * kw;
    this.weight = this.addParameter(
      'weight',
      torchDefaultInit([kh, kw, inChannels / this.groups, outChannels], rng, fanIn),
      'conv2d',
    );
    this.bias = options.bias === false ? undefined : this.addParameter('bias', torchDefaultInit([outChannels], rng, fanIn));
  }

  /**
   * x: [B, H, W, C_in] → [B, H', W', C_out]. `frozen`: the weights pass no gradient, only x does (the generator's
   * side of an adversarial loss scoring through a discriminator it must not train).
   */
  forward(x: tf.Tensor4D, options: { readonly frozen?: boolean } = {}): tf.Tensor4D {
    return tf.tidy(() => {
      const weight = (options.frozen ? stopGradient(this.weight) : this.weight) as tf.Tensor4D;
      const bias = this.bias && options.frozen ? stopGradient(this.bias) : this.bias;
      const [top, bottom, left, right] = this.padding;
      const pad: [[number, number], [number, number], [number, number], [number, number]] = [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ];
      if (this.groups === 1 && !this.training) {
        // One fused kernel: on OpenBLAS the bias is added inside the product, on XNNPACK likewise. Not in training:
        // tfjs's fused gradient calls the Conv2DBackpropInput kernel directly, which on plain wasm is a scalar loop
        // (a VQVAE step 3.2 → 9.3 s), where Conv2D's own gradient is nextx's forward-convolution one.
        return tf.fused.conv2d({ x, filter: weight, strides: this.stride, pad: pad as never, ...(bias ? { bias } : {}) });
      }
      const y = this.groups === 1 ? tf.conv2d(x, weight, this.stride, pad as never) : this.groupedConv(x, weight, pad);
      return bias ? (tf.add(y, bias) as tf.Tensor4D) : y;
    });
  }

  private groupedConv(x: tf.Tensor4D, weight: tf.Tensor4D, pad: [[number, number], [number, number], [number, number], [number, number]]) {
    const padded = tf.pad(x, pad);
    const inPer = this.inChannels / this.groups;
    const outPer = this.outChannels / this.groups;
    const outputs: tf.Tensor4D[] = [];
    for (let g = 0; g < this.groups; g++) {
      const xg = tf.slice(padded, [0, 0, 0, g * inPer], [-1, -1, -1, inPer]);
      const wg = tf.slice(weight, [0, 0, 0, g * outPer], [-1, -1, -1, outPer]) as tf.Tensor4D;
      outputs.push(tf.conv2d(xg, wg, this.stride, 'valid'));
    }
    return tf.concat(outputs, 3);
  }
}

function expandPadding(padding: Conv2dPadding): [number, number, number, number] {
  if (typeof padding === 'number') return [padding, padding, padding, padding];
  if (padding.length === 2) return [padding[0], padding[0], padding[1], padding[1]];
  return [padding[0], padding[1], padding[2], padding[3]];
}
