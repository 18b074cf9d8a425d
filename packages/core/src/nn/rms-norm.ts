import { tf } from '../tf.js';
import { Module } from './module.js';

/** x / √(mean(x²) + eps) over the last axis (Zhang & Sennrich 2019; torch.nn.RMSNorm, LLaMA). */
export function rmsNorm(x: tf.Tensor, eps: number, weight?: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const meanSquare = tf.mean(tf.square(x), x.rank - 1, true);
    const y = tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps)));
    return weight ? tf.mul(y, weight) : y;
  });
}

export interface RMSNormOptions {
  /** LLaMA's 1e-6 by default (torch.nn.RMSNorm's eps=None means float32 machine epsilon, 1.1920929e-7). */
  readonly eps?: number;
  /** Learn `weight` (ones); default true. */
  readonly affine?: boolean;
}

/** RMSNorm over the last dimension; state name `weight`. */
export class RMSNorm extends Module {
  readonly eps: number;
  readonly weight: tf.Variable | undefined;

  constructor(
    readonly dim: number,
    options: RMSNormOptions = {},
  ) {
    super();
    this.eps = options.eps ?? 1e-6;
    this.weight = options.affine === false ? undefined : this.addParameter('weight', tf.ones([dim]));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return rmsNorm(x, this.eps, this.weight);
  }
}
