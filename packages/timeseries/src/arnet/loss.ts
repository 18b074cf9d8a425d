import { tf } from '@nextx/core';

export type ArnetLossName = 'huber' | 'mse' | 'mae';

/**
 * AR-Net's losses (arnet/fastai_mods.py `get_loss_func`), means over every element: 'huber' is torch's
 * `smooth_l1_loss` with beta = 1 (0.5·d² for |d| < 1, |d| − 0.5 otherwise; not a tuned delta), 'mse' mean d²,
 * 'mae' mean |d|, d = ŷ − y.
 */
export function arnetLoss(name: ArnetLossName, prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const d = tf.sub(prediction, target);
    if (name === 'mse') return tf.mean(tf.square(d)) as tf.Scalar;
    const abs = tf.abs(d);
    if (name === 'mae') return tf.mean(abs) as tf.Scalar;
    // With c = min(|d|, 1): 0.5·c² + |d| − c is 0.5·d² inside and |d| − 0.5 outside (tfjs has no gradient for Less).
    const c = tf.minimum(abs, 1);
    return tf.mean(tf.add(tf.mul(tf.square(c), 0.5), tf.sub(abs, c))) as tf.Scalar;
  });
}
