import { tf } from '../tf.js';
import { Rng } from '../rng/rng.js';
import { Module } from './module.js';
import { Linear } from './linear.js';
import { Dropout } from './dropout.js';
import { geluOf, type GeluFlavour } from './activations.js';
import { nativeLinear } from '../backend/wasm/blas-linear.js';

export interface GeluMlpOptions {
  readonly outFeatures?: number;
  /** 'exact' (erf, torch's nn.GELU()) or 'tanh' (nn.GELU(approximate='tanh'), as VAR and GPT-2). Default 'exact'. */
  readonly gelu?: GeluFlavour;
  readonly bias?: boolean;
  /** Dropout after fc2 (timm/VAR FFN); 0 = none. */
  readonly dropout?: number;
  readonly rng?: Rng;
}

/** fc2(GELU(fc1(x))), then dropout: timm's Mlp and VAR's FFN (state names `fc1.*`, `fc2.*`). */
export class GeluMlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly drop: Dropout;
  private readonly activation: (x: tf.Tensor) => tf.Tensor;
  private readonly flavour: GeluFlavour;

  constructor(inFeatures: number, hiddenFeatures: number, options: GeluMlpOptions = {}) {
    super();
    const rng = options.rng ?? Rng.seeded(0);
    const bias = options.bias ?? true;
    this.fc1 = this.addModule('fc1', new Linear(inFeatures, hiddenFeatures, { bias, rng: rng.fork() }));
    this.fc2 = this.addModule(
      'fc2',
      new Linear(hiddenFeatures, options.outFeatures ?? inFeatures, { bias, rng: rng.fork() }),
    );
    this.drop = this.addModule('drop', new Dropout(options.dropout ?? 0, { rng: rng.fork() }));
    this.flavour = options.gelu ?? 'exact';
    this.activation = geluOf(this.flavour);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.drop.forward(this.fc2.forward(this.hidden(x))));
  }

  /** GELU(fc1(x)): with the tanh flavour one native call where the addon runs it (inference), else fc1 then GELU. */
  private hidden(x: tf.Tensor): tf.Tensor {
    const native = this.flavour === 'tanh' ? nativeLinear(x, this.fc1.weight, this.fc1.bias, { gelu: true }) : undefined;
    return native ?? this.activation(this.fc1.forward(x));
  }
}
