import { tf } from '@nextx/core';

/**
 * H-Net's ratio (load-balancing) loss (hnet/utils/train.py load_balancing_loss, README 4.6):
 * F = mean(b) (no gradient), G = mean(p), L = N/(N−1) · ((1 − F)(1 − G) + (N − 1)·F·G), minimal when a share 1/N of
 * the positions are boundaries. The means run over every element passed in (padded positions included in mask
 * mode, as the official code; README 6.7).
 */
export function ratioLoss(boundaries: ArrayLike<number>, p: tf.Tensor, targetRatio: number): { loss: tf.Scalar; F: number; G: tf.Scalar } {
  if (!(targetRatio > 1)) throw new RangeError(`ratioLoss: the target compression ratio must be > 1, got ${targetRatio}`);
  let sum = 0;
  for (let i = 0; i < boundaries.length; i++) sum += boundaries[i] as number;
  const F = Math.fround(sum / boundaries.length);
  return tf.tidy(() => {
    const G = tf.mean(p) as tf.Scalar;
    const n = targetRatio;
    const loss = tf.mul(n / (n - 1), tf.add(tf.mul(1 - F, tf.sub(1, G)), tf.mul((n - 1) * F, G))) as tf.Scalar;
    return { loss, F, G };
  });
}
