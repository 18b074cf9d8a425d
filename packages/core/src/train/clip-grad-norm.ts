import { tf } from '../tf.js';

export type NamedGrads = Record<string, tf.Tensor>;

/** √(Σ‖g‖²) over every gradient, as a scalar tensor. */
export function globalNorm(grads: Readonly<NamedGrads>): tf.Scalar {
  return tf.tidy(() => {
    const squares = Object.values(grads).map((g) => tf.sum(tf.square(g)));
    return tf.sqrt(squares.length ? tf.addN(squares) : tf.scalar(0)) as tf.Scalar;
  });
}

/**
 * torch.nn.utils.clip_grad_norm_: total = √(Σ‖g‖²); every gradient is multiplied by min(1, maxNorm/(total + 1e-6)).
 * Returns new gradients (the caller owns them and the inputs) and the norm before clipping.
 */
export function clipGradNorm(grads: Readonly<NamedGrads>, maxNorm: number): { grads: NamedGrads; norm: tf.Scalar } {
  return tf.tidy(() => {
    const norm = globalNorm(grads);
    const coefficient = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
    const clipped: NamedGrads = {};
    for (const [name, g] of Object.entries(grads)) clipped[name] = tf.mul(g, coefficient);
    return { grads: clipped, norm };
  });
}
