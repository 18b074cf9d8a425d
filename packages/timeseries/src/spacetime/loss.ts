import { tf } from '@nextx/core';
import type { SpacetimeTrainConfig } from './config.js';
import type { SpacetimeModel } from './model.js';
import { fitTransform, invertTransform, disposeTransform, type FittedTransform } from './transforms.js';

export type SpacetimeCriterion = SpacetimeTrainConfig['loss'];

/**
 * The criteria of `loss.py` as their mean: 'informer_rmse' √(mean of all squared errors), 'rmse' the mean over
 * (sample, channel) of √(mean over time), 'mse' and 'mae' elementwise means. pred, target: [B, T, D].
 */
export function criterion(name: SpacetimeCriterion, pred: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const d = tf.sub(pred, target);
    if (name === 'mae') return tf.mean(tf.abs(d)) as tf.Scalar;
    const squared = tf.square(d);
    if (name === 'mse') return tf.mean(squared) as tf.Scalar;
    if (name === 'informer_rmse') return tf.sqrt(tf.mean(squared)) as tf.Scalar;
    return tf.mean(tf.sqrt(tf.mean(squared, 1))) as tf.Scalar;
  });
}

export interface SpacetimeLossTerms {
  /** The closed-loop forecast term, then (unless inference only) the open-loop and the next-input terms. */
  readonly terms: tf.Scalar[];
  readonly loss: tf.Scalar;
}

/**
 * The training loss of `train/step/informer.py: shared_step` (spec 9.3) for x [B, ≥L, D] and targets y [B, H_f, D]:
 * w0·crit(ŷ_closed, y) + w1·crit(ŷ_open[:, kd−1:], x[:, kd:L+1]) + w2·crit(z_pred[:, kd−1:−1], z_true[:, kd:]),
 * with kd the first encoder SSM's kernel_dim; the two open-loop terms only when `allTerms`.
 */
export function spacetimeLoss(model: SpacetimeModel, x: tf.Tensor, y: tf.Tensor, options: { criterion: SpacetimeCriterion; weights: readonly [number, number, number]; transform: SpacetimeTrainConfig['data_transform']; allTerms: boolean }): SpacetimeLossTerms {
  return tf.tidy(() => {
    const [batch, , d] = x.shape as [number, number, number];
    const lag = model.lag;
    const lagWindow = tf.slice(x, [0, 0, 0], [batch, lag, d]);
    const transform: FittedTransform = fitTransform(options.transform, lagWindow);
    const out = model.forward(transform.u, { inferenceOnly: !options.allTerms });
    const [w0, w1, w2] = options.weights;
    const terms: tf.Scalar[] = [tf.mul(criterion(options.criterion, invertTransform(transform, out.yClosed), y), w0) as tf.Scalar];
    if (options.allTerms && out.yOpen && out.zPred && out.zTrue) {
      const kd = model.kernelDim;
      const full = tf.concat([lagWindow, y], 1);
      const yOpen = invertTransform(transform, out.yOpen);
      const openPred = tf.slice(yOpen, [0, kd - 1, 0], [batch, lag - kd + 1, d]);
      const openTarget = tf.slice(full, [0, kd, 0], [batch, lag - kd + 1, d]);
      terms.push(tf.mul(criterion(options.criterion, openPred, openTarget), w1) as tf.Scalar);
      const h = out.zPred.shape[2] as number;
      const zPred = tf.slice(out.zPred, [0, kd - 1, 0], [batch, lag - kd, h]);
      const zTrue = tf.slice(out.zTrue, [0, kd, 0], [batch, lag - kd, h]);
      terms.push(tf.mul(criterion(options.criterion, zPred, zTrue), w2) as tf.Scalar);
    }
    disposeTransform(transform);
    return { terms, loss: tf.addN(terms) as tf.Scalar };
  });
}
