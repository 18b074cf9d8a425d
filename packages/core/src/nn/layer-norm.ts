import { tf } from '../tf.js';
import { Module } from './module.js';
import { nativeLayerNorm } from '../backend/wasm/blas-norms.js';

/**
 * (x − mean) / √(var + eps) over the last axis, var biased (÷N) as torch.nn.LayerNorm, then the optional
 * affine weight and bias.
 */
export function layerNorm(x: tf.Tensor, eps: number, weight?: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  // One native pass where @nextx/native-blas runs it (inference); the differentiable ops otherwise.
  const native = nativeLayerNorm(x, eps, weight, bias);
  if (native) return native;
  return tf.tidy(() => {
    const axis = x.rank - 1;
    const { mean, variance } = tf.moments(x, axis, true);
    let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
    if (weight) y = tf.mul(y, weight);
    if (bias) y = tf.add(y, bias);
    return y;
  });
}

export interface LayerNormOptions {
  /** torch's default 1e-5. */
  readonly eps?: number;
  /** torch's elementwise_affine (default true): learn `weight` (ones) and `bias` (zeros). */
  readonly affine?: boolean;
  /** With affine, whether to learn `bias` (torch's bias=, default true). */
  readonly bias?: boolean;
}

/** torch.nn.LayerNorm over the last dimension (`normalized_shape` = [dim]); state names `weight`, `bias`. */
export class LayerNorm extends Module {
  readonly eps: number;
  readonly weight: tf.Variable | undefined;
  readonly bias: tf.Variable | undefined;

  constructor(
    readonly dim: number,
    options: LayerNormOptions = {},
  ) {
    super();
    this.eps = options.eps ?? 1e-5;
    const affine = options.affine ?? true;
    this.weight = affine ? this.addParameter('weight', tf.ones([dim])) : undefined;
    this.bias = affine && options.bias !== false ? this.addParameter('bias', tf.zeros([dim])) : undefined;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return layerNorm(x, this.eps, this.weight, this.bias);
  }
}
