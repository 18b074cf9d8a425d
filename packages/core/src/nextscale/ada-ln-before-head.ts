import { tf } from '../tf.js';
import type { Rng } from '../rng/rng.js';
import { AdaLNModulation, modulatedLayerNorm } from '../nn/adaln.js';
import { LayerNorm } from '../nn/layer-norm.js';
import { Module } from '../nn/module.js';

/** VAR's `basic_var.AdaLNBeforeHead`: [scale | shift] = ada_lin(SiLU(c)) (Linear D → 2C); LN(x)·(1 + scale) + shift. */
export class AdaLNBeforeHead extends Module {
  readonly adaLin: AdaLNModulation;
  readonly ln: LayerNorm;

  constructor(embedDim: number, condDim: number, normEps: number, rng: Rng) {
    super();
    this.adaLin = this.addModule('ada_lin', new AdaLNModulation(condDim, embedDim, 2, { rng }));
    this.ln = this.addModule('ln_wo_grad', new LayerNorm(embedDim, { eps: normEps, affine: false }));
  }

  /** [scale, shift] for c [B, D]; precomputed, they can stand in for c in `forward`. */
  modulation(cond: tf.Tensor2D): [tf.Tensor, tf.Tensor] {
    return tf.tidy(() => this.adaLin.forward(cond)) as unknown as [tf.Tensor, tf.Tensor];
  }

  forward(x: tf.Tensor3D, cond: tf.Tensor2D | [tf.Tensor, tf.Tensor]): tf.Tensor3D {
    return tf.tidy(() => {
      const [scale, shift] = cond instanceof tf.Tensor ? this.modulation(cond) : cond;
      return modulatedLayerNorm(x, this.ln.eps, shift, scale) as tf.Tensor3D;
    });
  }
}
