import { tf } from '../tf.js';
import { Rng } from '../rng/rng.js';
import { Module } from './module.js';
import { Linear } from './linear.js';
import { swiglu } from './activations.js';

export interface SwiGluMlpOptions {
  readonly outFeatures?: number;
  /** LLaMA uses no biases (default false). */
  readonly bias?: boolean;
  readonly rng?: Rng;
}

/** LLaMA's FeedForward: w2(SiLU(w1·x) ⊙ w3·x) (state names `w1.*`, `w2.*`, `w3.*`). */
export class SwiGluMlp extends Module {
  readonly w1: Linear;
  readonly w2: Linear;
  readonly w3: Linear;

  constructor(dim: number, hiddenDim: number, options: SwiGluMlpOptions = {}) {
    super();
    const rng = options.rng ?? Rng.seeded(0);
    const bias = options.bias ?? false;
    this.w1 = this.addModule('w1', new Linear(dim, hiddenDim, { bias, rng: rng.fork() }));
    this.w2 = this.addModule('w2', new Linear(hiddenDim, options.outFeatures ?? dim, { bias, rng: rng.fork() }));
    this.w3 = this.addModule('w3', new Linear(dim, hiddenDim, { bias, rng: rng.fork() }));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.w2.forward(swiglu(this.w1.forward(x), this.w3.forward(x))));
  }
}
