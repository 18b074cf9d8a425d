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
 * Running sums of micro-batch gradients, one micro-batch at a time (a caller may yield to the event loop between
 * them, e.g. to answer Ctrl-C within a step). The result is the gradient of the mean of the k losses, (1/k)·Σ ∇Lᵢ;
 * with mean losses over equal micro-batches this equals the gradient of one batch of all of them. A parameter that a
 * micro-batch does not reach (a routed expert, a gated branch) contributes a zero gradient there: its sum keeps what
 * the other micro-batches gave, and it is still divided by k. Parameters that no micro-batch reaches are absent from
 * the result. Each micro-batch's graph is freed before the next one runs; only the running sums are kept.
 */
export class GradientAccumulator {
  private readonly variables: tf.Variable[];
  private lossSum: tf.Scalar | undefined;
  private readonly sums = new Map<string, tf.Tensor>();
  private count = 0;

  constructor(private readonly parameters: ReadonlyArray<readonly [string, tf.Variable]>) {
    this.variables = parameters.map(([, p]) => p);
  }

  /** Micro-batches added so far. */
  get size(): number {
    return this.count;
  }

  add(loss: LossClosure): void {
    const { value, grads } = tf.variableGrads(loss, this.variables);
    this.lossSum = this.lossSum ? addAndDispose(this.lossSum, value) : value;
    for (const [name, p] of this.parameters) {
      const g = grads[p.name];
      if (!g) continue;
      const sum = this.sums.get(name);
      this.sums.set(name, sum ? addAndDispose(sum, g) : g);
    }
    this.count += 1;
  }

  /** The mean loss and gradients; the caller owns them, and the accumulator is empty again. */
  result(): Gradients {
    if (!this.lossSum) throw new RangeError('accumulateGradients needs at least one micro-batch');
    const k = this.count;
    const lossSum = this.lossSum;
    const named = Object.fromEntries(this.sums) as NamedGrads;
    this.reset();
    if (k === 1) return { loss: lossSum, grads: named };
    const result = tf.tidy(() => ({
      loss: tf.div(lossSum, k) as tf.Scalar,
      grads: Object.fromEntries(Object.entries(named).map(([name, g]) => [name, tf.div(g, k)])) as NamedGrads,
    }));
    tf.dispose([lossSum, ...Object.values(named)]);
    return result;
  }

  /** Frees the running sums (a step abandoned half-way). */
  dispose(): void {
    tf.dispose([...(this.lossSum ? [this.lossSum] : []), ...this.sums.values()]);
    this.reset();
  }

  private reset(): void {
    this.lossSum = undefined;
    this.sums.clear();
    this.count = 0;
  }
}

/** Gradients of the mean of k micro-batch losses, computed in one go (GradientAccumulator). */
export function accumulateGradients(parameters: ReadonlyArray<readonly [string, tf.Variable]>, losses: readonly LossClosure[]): Gradients {
  if (losses.length === 0) throw new RangeError('accumulateGradients needs at least one micro-batch');
  const accumulator = new GradientAccumulator(parameters);
  try {
    for (const loss of losses) accumulator.add(loss);
    return accumulator.result();
  } catch (error) {
    accumulator.dispose();
    throw error;
  }
}

function addAndDispose<T extends tf.Tensor>(a: T, b: T): T {
  const sum = tf.add(a, b) as T;
  tf.dispose([a, b]);
  return sum;
}
