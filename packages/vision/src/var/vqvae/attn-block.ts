import { tf, GroupNorm, Module, MultiHeadAttention, type ConvBlockOptions } from '@nextx/core';

/**
 * Official `basic_vae.AttnBlock`: single-head self-attention over the H·W positions, NHWC.
 * u = norm(x); [q | k | v] = qkv(u) (1×1 conv C → 3C; channels 0..C−1 are q); o = softmax(q·kᵀ·C^(−1/2))·v;
 * out = x + proj_out(o). A 1×1 conv is a Linear over channels, so this is core's one-head attention with a
 * fused, biased projection named `qkv` and an output projection named `proj_out`; their torch conv weights
 * [out, in, 1, 1] are squeezed to Linear's [out, in] at load (see `VQVAE.loadStateDict`).
 */
export class AttnBlock extends Module {
  readonly norm: GroupNorm;
  readonly attn: MultiHeadAttention;

  constructor(
    readonly channels: number,
    options: ConvBlockOptions,
  ) {
    super();
    const { numGroups, eps, rng } = options;
    this.norm = this.addModule('norm', new GroupNorm(numGroups, channels, { eps }));
    this.attn = new MultiHeadAttention({
      dim: channels,
      numHeads: 1,
      projection: 'fused',
      qkvBias: 'full',
      names: { qkv: 'qkv', out: 'proj_out' },
      rng,
    });
    // Registered under the attention's own member names, so that they sit directly in this block (torch's tree).
    this.addModule('qkv', this.attn.qkv!);
    this.addModule('proj_out', this.attn.out);
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, h, w, c] = x.shape;
      const u = tf.reshape(this.norm.forward(x), [b, h * w, c]);
      return tf.add(x, tf.reshape(this.attn.forward(u), [b, h, w, c])) as tf.Tensor4D;
    });
  }

  /** `attn` is not a registered child (its two Linears are), so the mode is passed on by hand. */
  override train(mode = true): this {
    super.train(mode);
    this.attn.train(mode);
    return this;
  }
}
