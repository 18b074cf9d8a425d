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

/** Truncated normal at ±2 std, as timm's trunc_normal_ (resampled, not clipped). */
export function truncatedNormalInit(shape: readonly number[], rng: Rng, std: number): tf.Tensor {
  if (skipDepth) return tf.zeros([...shape]);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    let v: number;
    do v = rng.normal();
    while (Math.abs(v) > 2);
    values[i] = v * std;
  }
  return tf.tensor(values, [...shape], 'float32');
}

/** PyTorch's default for Linear/Conv (kaiming_uniform with a=√5): U(−1/√fan_in, 1/√fan_in). */
export function torchDefaultInit(shape: readonly number[], rng: Rng, fanIn: number): tf.Tensor {
  return uniformInit(shape, rng, 1 / Math.sqrt(fanIn));
}
