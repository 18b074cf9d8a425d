import type { Rng } from '@nextx/core';
import { tf, Dropout, gelu, LayerNorm, Linear, Module, ModuleList } from '@nextx/core';
import type { MlpConfig, MlpKwargs } from './config.js';

type ActivationName = MlpKwargs['activation'];

/** An entry of an nn.Sequential: anything with a forward (activations, dropout and identities have no parameters). */
export type SequentialLayer = Module & { forward(x: tf.Tensor): tf.Tensor };

export class Activation extends Module {
  constructor(readonly kind: ActivationName) {
    super();
  }
  forward(x: tf.Tensor): tf.Tensor {
    switch (this.kind) {
      case 'gelu':
        return gelu(x);
      case 'relu':
        return tf.relu(x);
      case 'tanh':
        return tf.tanh(x);
      case 'silu':
        return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
      case 'sigmoid':
        return tf.sigmoid(x);
      default:
        return tf.clone(x);
    }
  }
}

/** The identity (nn.Identity): an unconfigured pre-processing, MLP or embedding. */
export class Identity extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.clone(x);
  }
}

/**
 * SpaceTime's MLP (`model/mlp.py`, spec 7): `[Act, Dropout]` first when pre_activation (or more activations than
 * layers), then Linear (input → hidden → … → output) with activations after them while any are left; the list
 * indices are the state-dict names (`layers.2.weight`). Forward: optional LayerNorm, the layers, then the skip — which
 * adds relu(x) rather than x when the first layer is the official in-place ReLU (it overwrites its input).
 */
export class SpacetimeMlp extends Module {
  readonly layers: ModuleList<SequentialLayer>;
  readonly layernorm: LayerNorm | undefined;
  private readonly inPlaceReluFirst: boolean;

  constructor(
    readonly kwargs: MlpKwargs,
    rng: Rng,
  ) {
    super();
    const { input_dim, output_dim, n_layers, activation } = kwargs;
    const hidden = kwargs.hidden_dim ?? (n_layers < 2 ? output_dim : input_dim);
    const layers: SequentialLayer[] = [];
    let activations = kwargs.n_activations;
    if (kwargs.n_activations > n_layers || kwargs.pre_activation) {
      layers.push(new Activation(activation), new Dropout(kwargs.dropout, { rng }));
      activations -= 1;
    }
    for (let remaining = n_layers; remaining > 0 || activations > 0; remaining--, activations--) {
      if (remaining === n_layers) layers.push(new Linear(input_dim, hidden, { rng }));
      else if (remaining > 1) layers.push(new Linear(hidden, hidden, { rng }));
      else if (remaining === 1) layers.push(new Linear(hidden, output_dim, { rng }));
      if (activations > 0) layers.push(new Activation(activation));
    }
    this.layernorm = kwargs.layernorm ? this.addModule('layernorm', new LayerNorm(input_dim)) : undefined;
    this.layers = this.addModule('layers', new ModuleList(layers));
    this.inPlaceReluFirst = layers[0] instanceof Activation && activation === 'relu';
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const input = this.layernorm ? this.layernorm.forward(x) : x;
      let y = input;
      for (const layer of this.layers.items) y = layer.forward(y);
      if (!this.kwargs.skip_connection) return y;
      return tf.add(y, this.inPlaceReluFirst ? tf.relu(input) : input);
    });
  }
}

export function buildMlp(config: MlpConfig, rng: Rng): SequentialLayer {
  return config.method === 'mlp' ? new SpacetimeMlp(config.kwargs, rng) : new Identity();
}
