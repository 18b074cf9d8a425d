import { tf } from '../tf.js';
import { Rng } from '../rng/rng.js';
import { Module } from './module.js';

/**
 * Inverted dropout as torch: in training, zero each element with probability `rate` and scale the rest by
 * 1/(1−rate); the mask is drawn from the given Rng, so the same seed gives the same masks on every backend.
 *
 * The mask is drawn on the host, one 32-bit draw per element (dropped when below rate·2³²), and uploaded: measured
 * against drawing it with backend integer ops (bench/plumbing.ts), the host draw is several times faster on wasm and
 * cpu, the only backends tested here (BENCHMARKS.md, "Dropout masks and diffusion noise").
 */
export function dropout(x: tf.Tensor, rate: number, rng: Rng): tf.Tensor {
  if (rate <= 0) return x;
  if (rate >= 1) return tf.zerosLike(x);
  const threshold = Math.round(rate * 2 ** 32);
  const scale = 1 / (1 - rate);
  // A new array each call: tfjs's cpu backend keeps the uploaded array as the tensor's storage (no copy), and the
  // mask lives on in the gradient tape, so a reused buffer would overwrite masks still needed by the backward pass.
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.uint32() < threshold ? 0 : scale;
  return tf.tidy(() => tf.mul(x, tf.tensor(mask, x.shape, 'float32')));
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
