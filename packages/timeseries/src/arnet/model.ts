import { tf, Linear, Module, ModuleList, Rng } from '@nextx/core';
import type { ArnetConfig } from './config.js';

/** fastai's `LinBnDrop` without batch norm and dropout (AR-Net's `use_bn=False`): a Sequential holding one Linear. */
class LinBnDrop extends ModuleList<Linear> {
  get linear(): Linear {
    return this.at(0);
  }
}

/**
 * AR-Net as fastai's `TabularModel(emb_szs=[], n_cont=p, out_sz=h, layers, use_bn=False, bn_final=False,
 * bn_cont=False)`: the p lags (oldest first) go through `layers.i.0` Linear layers, ReLU between them, to h
 * forecasts. With `layers = []` it is the linear AR-Net of the paper, ŷ = x Wᵀ + b. State-dict names are the
 * official ones (`layers.0.0.weight`, ...).
 */
export class ArnetModel extends Module {
  readonly layers: ModuleList<LinBnDrop>;

  constructor(
    readonly config: ArnetConfig,
    options: { rng?: Rng } = {},
  ) {
    super();
    const rng = options.rng ?? Rng.seeded(0);
    const widths = [config.ar_order, ...config.layers, config.n_forecasts];
    const blocks = widths.slice(1).map((out, i) => new LinBnDrop([new Linear(widths[i] as number, out, { rng })]));
    this.layers = this.addModule('layers', new ModuleList(blocks));
  }

  /** x: [N, p] lags, oldest first → [N, h] forecasts. */
  forward(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      let z = x;
      this.layers.items.forEach((block, i) => {
        z = block.linear.forward(z);
        if (i < this.layers.length - 1) z = tf.relu(z);
      });
      return z as tf.Tensor2D;
    });
  }

  /** The weight the sparsity regulariser acts on: the first Linear layer's, kept as [p, out] (torch's transposed). */
  get inputWeight(): tf.Variable {
    return this.layers.at(0).linear.weight;
  }

  /**
   * `arnet.utils.coeff_from_model`: the first Linear's weight in torch layout [out, p] with every row reversed, so that
   * `coeff[j][k]` is the weight of lag k+1 (x_{p−1−k}) for output j. For the linear model these are the AR
   * coefficients of forecast j+1 in natural lag order.
   */
  coefficients(): number[][] {
    const reversed = tf.tidy(() => tf.reverse(tf.transpose(this.inputWeight), 1));
    try {
      return reversed.arraySync() as number[][];
    } finally {
      reversed.dispose();
    }
  }
}
