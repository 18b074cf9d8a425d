import { AdaLNModulation, Module, layerNorm, modulate, type Rng, type tf } from '@nextx/core';

/**
 * AdaLN-Zero (official `AdaLNZero`): (scale, shift, gate) = split3(mlp.1(SiLU(cond))); returns (1 + scale)·LN(h) + shift
 * (layer norm without affine parameters, eps 1e-5) and the gate [B, 1, d] for the caller to apply.
 */
export class AdaLNZero extends Module {
  readonly mlp: AdaLNModulation;

  constructor(dim: number, rng?: Rng) {
    super();
    this.mlp = this.addModule('mlp', new AdaLNModulation(dim, dim, 3, { ...(rng ? { rng } : {}) }));
  }

  /** h [B, L, d], cond [B, d] → the modulated h and the gate [B, 1, d]. */
  forward(h: tf.Tensor, cond: tf.Tensor): { h: tf.Tensor; gate: tf.Tensor } {
    const [scale, shift, gate] = this.mlp.forward(cond) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const normed = layerNorm(h, 1e-5);
    const out = modulate(normed, shift, scale);
    normed.dispose();
    scale.dispose();
    shift.dispose();
    return { h: out, gate };
  }
}
