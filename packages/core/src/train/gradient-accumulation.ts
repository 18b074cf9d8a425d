import { tf } from '../tf.js';
import type { NamedGrads } from './clip-grad-norm.js';

/** A loss to differentiate; called inside tf.variableGrads. */
export type LossClosure = () => tf.Scalar;

export interface Gradients {
  /** Mean loss over the micro-batches. */
  readonly loss: tf.Scalar;
  /** Mean gradient per parameter name. */
  readonly grads: NamedGrads;
}

/**
 * Gradients of the mean of k micro-batch losses: (1/k)·Σ ∇Lᵢ. With mean losses over equal micro-batches this equals
 * the gradient of one batch of all of them. Each micro-batch's graph is freed before the next one runs; only the
 * running sums are kept. The caller owns the returned tensors.
 */
export function accumulateGradients(
  parameters: ReadonlyArray<readonly [string, tf.Variable]>,
  losses: readonly LossClosure[],
): Gradients {
  if (losses.length === 0) throw new RangeError('accumulateGradients needs at least one micro-batch');
  const variables = parameters.map(([, p]) => p);
  let lossSum: tf.Scalar | undefined;
  let sums: NamedGrads | undefined;
  for (const loss of losses) {
    const { value, grads } = tf.variableGrads(loss, variables);
    const named: NamedGrads = {};
    for (const [name, p] of parameters) {
      const g = grads[p.name];
      if (g) named[name] = g;
    }
    if (!lossSum || !sums) {
      lossSum = value;
      sums = named;
      continue;
    }
    const previousLoss: tf.Scalar = lossSum;
    const previous: NamedGrads = sums;
    lossSum = tf.add(previousLoss, value) as tf.Scalar;
    sums = Object.fromEntries(Object.entries(named).map(([name, g]) => [name, previous[name] ? tf.add(previous[name], g) : tf.clone(g)]));
    tf.dispose([previousLoss, value, ...Object.values(previous), ...Object.values(named)]);
  }
  const k = losses.length;
  if (k === 1) return { loss: lossSum as tf.Scalar, grads: sums as NamedGrads };
  const result = tf.tidy(() => ({
    loss: tf.div(lossSum as tf.Scalar, k) as tf.Scalar,
    grads: Object.fromEntries(Object.entries(sums as NamedGrads).map(([name, g]) => [name, tf.div(g, k)])),
  }));
  tf.dispose([lossSum as tf.Scalar, ...Object.values(sums as NamedGrads)]);
  return result;
}
