import { tf } from '../tf.js';
import type { Rng } from '../rng/rng.js';

let skipDepth = 0;

/**
 * Builds modules whose every initialiser returns zeros instead of drawing: for models whose weights are loaded right
 * after (the official VAR build disables `reset_parameters` for the same reason). Drawing VAR-d16's 310 M values takes
 * about 10 s; zeros take none. The Rng is not advanced inside.
 */
export function withoutInit<T>(build: () => T): T {
  skipDepth++;
  try {
    return build();
  } finally {
    skipDepth--;
  }
}

/** Initialisers draw from an explicit Rng (ARCHITECTURE rule 6), never from tfjs's global seed. */
export function normalInit(shape: readonly number[], rng: Rng, std: number, mean = 0): tf.Tensor {
  if (skipDepth) return tf.zeros([...shape]);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.fillNormal(new Float32Array(size), mean, std), [...shape], 'float32');
}

/** Uniform in [-bound, bound). */
export function uniformInit(shape: readonly number[], rng: Rng, bound: number): tf.Tensor {
  if (skipDepth) return tf.zeros([...shape]);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = rng.fillUniform(new Float32Array(size));
  for (let i = 0; i < size; i++) values[i] = (2 * (values[i] as number) - 1) * bound;
  return tf.tensor(values, [...shape], 'float32');
}

export interface TruncatedNormalOptions {
  readonly mean?: number;
  /** Lower and upper cut, absolute values (torch's `a`, `b`; default −2 and 2), not multiples of std. */
  readonly a?: number;
  readonly b?: number;
}

/**
 * torch's (and timm's) `trunc_normal_(t, mean, std, a=-2, b=2)`: N(mean, std²) restricted to [a, b], where a and b are
 * absolute bounds — with VAR's std √(1/3C) ≈ 0.02 the default ±2 cuts nothing in practice. Drawn by rejection
 * (resampled, not clipped); an interval that holds almost none of the mass is refused instead of looping.
 */
export function truncatedNormalInit(shape: readonly number[], rng: Rng, std: number, options: TruncatedNormalOptions = {}): tf.Tensor {
  const { mean = 0, a = -2, b = 2 } = options;
  if (!(std > 0) || !(a < b)) throw new RangeError(`truncated normal needs std > 0 and a < b; got std ${std}, [${a}, ${b}]`);
  if (skipDepth) return tf.zeros([...shape]);
  const size = shape.reduce((x, y) => x * y, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = drawWithin(rng, mean, std, a, b);
  return tf.tensor(values, [...shape], 'float32');
}

const MAX_REJECTIONS = 10_000;

function drawWithin(rng: Rng, mean: number, std: number, a: number, b: number): number {
  for (let tries = 0; tries < MAX_REJECTIONS; tries++) {
    const v = mean + std * rng.normal();
    if (v >= a && v <= b) return v;
  }
  throw new RangeError(`truncated normal: [${a}, ${b}] holds almost none of N(${mean}, ${std}²)`);
}

/** PyTorch's default for Linear/Conv (kaiming_uniform with a=√5): U(−1/√fan_in, 1/√fan_in). */
export function torchDefaultInit(shape: readonly number[], rng: Rng, fanIn: number): tf.Tensor {
  return uniformInit(shape, rng, 1 / Math.sqrt(fanIn));
}
