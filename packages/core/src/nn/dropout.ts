import { tf } from '../tf.js';
import { Rng } from '../rng/rng.js';
import { Module } from './module.js';

/**
 * Inverted dropout as torch: in training, zero each element with probability `rate` and scale the rest by
 * 1/(1−rate); the mask is drawn from the given Rng, so the same seed gives the same masks on every backend.
 */
export function dropout(x: tf.Tensor, rate: number, rng: Rng): tf.Tensor {
  if (rate <= 0) return x;
  if (rate >= 1) return tf.zerosLike(x);
  const values = rng.fillUniform(new Float32Array(x.size));
  const scale = 1 / (1 - rate);
  for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) < rate ? 0 : scale;
  return tf.tidy(() => tf.mul(x, tf.tensor(values, x.shape, 'float32')));
}

export interface DropoutOptions {
  readonly rng?: Rng;
}

/** torch.nn.Dropout: identity in eval mode (returns `x` itself), seeded masks in training. */
export class Dropout extends Module {
  private readonly rng: Rng;

  constructor(
    readonly rate: number,
    options: DropoutOptions = {},
  ) {
    super();
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`Dropout rate must be in [0, 1], got ${rate}`);
    this.rng = this.addRng('rng', options.rng ?? Rng.seeded(0));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.training ? dropout(x, this.rate, this.rng) : x;
  }
}
