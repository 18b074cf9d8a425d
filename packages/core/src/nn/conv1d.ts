import { tf } from '../tf.js';
import { Rng } from '../rng/rng.js';
import { Module } from './module.js';
import { torchDefaultInit } from './init.js';

/** torch padding of one number for both sides, explicit [left, right], or 'causal' (left only, dilation·(k−1)). */
export type Conv1dPadding = number | readonly [number, number] | 'causal';

export interface Conv1dOptions {
  readonly stride?: number;
  readonly padding?: Conv1dPadding;
  readonly dilation?: number;
  readonly groups?: number;
  readonly bias?: boolean;
  readonly rng?: Rng;
}

/**
 * torch.nn.Conv1d semantics (cross-correlation, zero padding, stride, dilation, groups) on channels-last
 * [B, L, C] tensors. The filter is kept as tfjs's [k, in/groups, out]; torch's [out, in/groups, k] converts at load.
 */
export class Conv1d extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;
  readonly stride: number;
  readonly dilation: number;
  readonly groups: number;
  readonly padding: [number, number];

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    options: Conv1dOptions = {},
  ) {
    super();
    this.groups = options.groups ?? 1;
    if (inChannels % this.groups || outChannels % this.groups) {
      throw new RangeError(`Conv1d: channels ${inChannels}→${outChannels} are not divisible by groups ${this.groups}`);
    }
    this.stride = options.stride ?? 1;
    this.dilation = options.dilation ?? 1;
    const padding = options.padding ?? 0;
    const reach = this.dilation * (kernelSize - 1);
    this.padding =
      padding === 'causal' ? [reach, 0] : typeof padding === 'number' ? [padding, padding] : [padding[0], padding[1]];
    const rng = options.rng ?? Rng.seeded(0);
    const fanIn = (inChannels / this.groups) * kernelSize;
    this.weight = this.addParameter(
      'weight',
      torchDefaultInit([kernelSize, inChannels / this.groups, outChannels], rng, fanIn),
      'conv1d',
    );
    this.bias = options.bias === false ? undefined : this.addParameter('bias', torchDefaultInit([outChannels], rng, fanIn));
  }

  /** x: [B, L, C_in] → [B, L', C_out], L' = ⌊(L + pads − dilation·(k−1) − 1)/stride⌋ + 1. */
  forward(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const padded = tf.pad(x, [[0, 0], this.padding, [0, 0]]);
      const inPer = this.inChannels / this.groups;
      const outPer = this.outChannels / this.groups;
      const outputs: tf.Tensor3D[] = [];
      for (let g = 0; g < this.groups; g++) {
        const xg = this.groups === 1 ? padded : tf.slice(padded, [0, 0, g * inPer], [-1, -1, inPer]);
        const wg = this.groups === 1 ? this.weight : tf.slice(this.weight, [0, 0, g * outPer], [-1, -1, outPer]);
        outputs.push(this.convolve(xg, wg as tf.Tensor3D));
      }
      const y = outputs.length === 1 ? (outputs[0] as tf.Tensor3D) : tf.concat(outputs, 2);
      return this.bias ? (tf.add(y, this.bias) as tf.Tensor3D) : y;
    });
  }

  /**
   * tfjs has no gradient for dilated convolutions (and refuses stride and dilation both > 1), so a dilated
   * filter is expanded with zeros between its taps — [k, in, out] → [dilation·(k−1)+1, in, out] — which is the
   * same cross-correlation, differentiable, at dilation× the multiply-adds.
   */
  private convolve(x: tf.Tensor3D, w: tf.Tensor3D): tf.Tensor3D {
    if (this.dilation === 1) return tf.conv1d(x, w, this.stride, 'valid', 'NWC');
    const [k, inPer, outPer] = w.shape;
    const taps = tf.expandDims(w, 1);
    const gaps = tf.zeros([k, this.dilation - 1, inPer, outPer]);
    const spread = tf.reshape(tf.concat([taps, gaps], 1), [k * this.dilation, inPer, outPer]);
    const dilated = tf.slice(spread, [0, 0, 0], [this.dilation * (k - 1) + 1, -1, -1]) as tf.Tensor3D;
    return tf.conv1d(x, dilated, this.stride, 'valid', 'NWC');
  }
}
