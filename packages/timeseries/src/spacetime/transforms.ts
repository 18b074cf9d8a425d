import { tf } from '@nextx/core';
import type { SpacetimeTrainConfig } from './config.js';

export type DataTransform = SpacetimeTrainConfig['data_transform'];

/** u = a·x − b per sample over the lag window, and its inverse (y + b)/a (spec 9.2). */
export interface FittedTransform {
  readonly u: tf.Tensor;
  readonly a: tf.Tensor;
  readonly b: tf.Tensor;
}

/**
 * `data_transforms/*` over x [B, L, D] (the lag window): 'mean' subtracts the window mean, 'standardize' uses 1/std
 * (unbiased) and mean·a, 'last' subtracts the last lag value, 'none' keeps x.
 */
export function fitTransform(name: DataTransform, x: tf.Tensor): FittedTransform {
  return tf.tidy(() => {
    const [batch, length, d] = x.shape as [number, number, number];
    const one = tf.ones([1]);
    if (name === 'none') return { u: tf.clone(x), a: one, b: tf.zeros([1]) };
    if (name === 'last') {
      const b = tf.slice(x, [0, length - 1, 0], [batch, 1, d]);
      return { u: tf.sub(x, b), a: one, b };
    }
    const mean = tf.mean(x, 1, true);
    if (name === 'mean') return { u: tf.sub(x, mean), a: one, b: mean };
    const variance = tf.div(tf.sum(tf.square(tf.sub(x, mean)), 1, true), length - 1);
    const a = tf.div(1, tf.sqrt(variance));
    const b = tf.mul(mean, a);
    return { u: tf.sub(tf.mul(x, a), b), a, b };
  });
}

/** The output transform (y + b)/a. */
export function invertTransform(t: FittedTransform, y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.div(tf.add(y, t.b), t.a));
}

export function disposeTransform(t: FittedTransform): void {
  tf.dispose([t.u, t.a, t.b]);
}
