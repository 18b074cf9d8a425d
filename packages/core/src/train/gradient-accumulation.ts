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
 * the gradient of one batch of all of them. A parameter that a micro-batch does not reach (a routed expert, a gated
 * branch) contributes a zero gradient there: its sum keeps what earlier micro-batches gave and later ones add to it,
 * and it is still divided by k. Parameters that no micro-batch reaches are absent from the result. Each micro-batch's
 * graph is freed before the next one runs; only the running sums are kept. The caller owns the returned tensors.
 */
export function accumulateGradients(
  parameters: ReadonlyArray<readonly [string, tf.Variable]>,
  losses: readonly LossClosure[],
): Gradients {
  if (losses.length === 0) throw new RangeError('accumulateGradients needs at least one micro-batch');
  const variables = parameters.map(([, p]) => p);
  let lossSum: tf.Scalar | undefined;
  const sums = new Map<string, tf.Tensor>();
  for (const loss of losses) {
    const { value, grads } = tf.variableGrads(loss, variables);
    lossSum = lossSum ? addAndDispose(lossSum, value) : value;
    for (const [name, p] of parameters) {
      const g = grads[p.name];
      if (!g) continue;
      const sum = sums.get(name);
      sums.set(name, sum ? addAndDispose(sum, g) : g);
    }
  }
  const k = losses.length;
  const named = Object.fromEntries(sums) as NamedGrads;
  if (k === 1) return { loss: lossSum as tf.Scalar, grads: named };
  const result = tf.tidy(() => ({
    loss: tf.div(lossSum as tf.Scalar, k) as tf.Scalar,
    grads: Object.fromEntries(Object.entries(named).map(([name, g]) => [name, tf.div(g, k)])) as NamedGrads,
  }));
  tf.dispose([lossSum as tf.Scalar, ...sums.values()]);
  return result;
}

function addAndDispose<T extends tf.Tensor>(a: T, b: T): T {
  const sum = tf.add(a, b) as T;
  tf.dispose([a, b]);
  return sum;
}
