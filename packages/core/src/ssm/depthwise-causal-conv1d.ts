import { tf } from '../tf.js';
import { Rng } from '../rng/rng.js';
import { Module } from '../nn/module.js';
import { torchDefaultInit } from '../nn/init.js';

/**
 * torch.nn.Conv1d(channels, channels, kernel, groups=channels, padding=kernel−1) truncated to the first L outputs: a
 * causal depthwise convolution, y_t = b + Σ_k w[:, 0, k] ⊙ x_{t−(K−1)+k}, as Mamba uses it. Computed as K shifted
 * element-wise products (cheap, differentiable everywhere) rather than a grouped convolution; the weight keeps
 * torch's [channels, 1, kernel] layout, so state dicts load as they are.
 */
export class DepthwiseCausalConv1d extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;

  constructor(
    readonly channels: number,
    readonly kernelSize: number,
    options: { readonly bias?: boolean; readonly rng?: Rng } = {},
  ) {
    super();
    const rng = options.rng ?? Rng.seeded(0);
    this.weight = this.addParameter('weight', torchDefaultInit([channels, 1, kernelSize], rng, kernelSize));
    this.bias = options.bias === false ? undefined : this.addParameter('bias', torchDefaultInit([channels], rng, kernelSize));
  }

  /**
   * x [B, L, C] → [B, L, C]. `prefix` [B, K−1, C] holds the inputs before x (zeros when omitted); the returned
   * `tail` [B, K−1, C] is the prefix for whatever follows x.
   */
  forward(x: tf.Tensor, prefix?: tf.Tensor): { y: tf.Tensor; tail: tf.Tensor } {
    return tf.tidy(() => {
      const [batch, length, channels] = x.shape as [number, number, number];
      const k = this.kernelSize;
      const before = prefix ?? tf.zeros([batch, k - 1, channels]);
      const padded = tf.concat([before, x], 1);
      const taps = tf.transpose(tf.reshape(this.weight, [channels, k])); // [K, C]
      let y: tf.Tensor | undefined;
      for (let i = 0; i < k; i++) {
        const term = tf.mul(tf.slice(padded, [0, i, 0], [-1, length, -1]), tf.slice(taps, [i, 0], [1, -1]));
        y = y ? tf.add(y, term) : term;
      }
      const out = this.bias ? tf.add(y as tf.Tensor, this.bias) : (y as tf.Tensor);
      return { y: out, tail: tf.slice(padded, [0, length, 0], [-1, k - 1, -1]) };
    });
  }
}
