import { tf } from '../tf.js';
import { Rng } from '../rng/rng.js';
import { Module } from './module.js';
import { torchDefaultInit } from './init.js';
import { nativeLinear } from '../backend/wasm/blas-linear.js';

export interface LinearOptions {
  readonly bias?: boolean;
  readonly rng?: Rng;
}

/**
 * y = x·W + b over the last axis, any leading shape. W is kept as [in, out] (torch's [out, in] transposed
 * at load), so the product is a plain 2-D matMul of [N, in]×[in, out]: the fast path on every backend.
 */
export class Linear extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    const rng = options.rng ?? Rng.seeded(0);
    this.weight = this.addParameter('weight', torchDefaultInit([inFeatures, outFeatures], rng, inFeatures), 'linear');
    this.bias =
      options.bias === false
        ? undefined
        : this.addParameter('bias', torchDefaultInit([outFeatures], rng, inFeatures));
  }

  /** x·W + b; `bias` [out] stands in for the layer's own (VAR's qkv bias [q_bias, 0, v_bias] is assembled by its attention). */
  forward(x: tf.Tensor, bias: tf.Tensor | undefined = this.bias): tf.Tensor {
    const native = nativeLinear(x, this.weight, bias);
    if (native) return native;
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      const flat = tf.reshape(x, [-1, this.inFeatures]) as tf.Tensor2D;
      // One fused kernel: on OpenBLAS the bias is added inside the product (C starts as b), on XNNPACK likewise.
      const y = tf.fused.matMul({ a: flat, b: this.weight as tf.Tensor2D, ...(bias ? { bias: bias as tf.Tensor1D } : {}) });
      return tf.reshape(y, [...lead, this.outFeatures]);
    });
  }
}
