import { tf } from '@nextx/core';

/** Per-frame flow levels [B, F] → per-token levels [B, F·n, 1], each frame's level repeated over its n tokens. */
export function levelsPerToken(levels: tf.Tensor, tokensPerFrame: number): tf.Tensor {
  return tf.tidy(() => {
    const [batch, frames] = levels.shape as [number, number];
    return tf.reshape(tf.tile(tf.expandDims(levels, 2), [1, 1, tokensPerFrame]), [batch, frames * tokensPerFrame, 1]);
  });
}

/** x at flow level t: (1 − t)·x + t·ε (t broadcast over x). */
export function renoise(x: tf.Tensor, t: tf.Tensor, eps: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(tf.sub(1, t), x), tf.mul(t, eps)));
}
