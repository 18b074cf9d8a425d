import { tf } from '../tf.js';
import { InputError } from '../errors.js';

export type LossReduction = 'mean' | 'sum' | 'none';

export interface SparseCrossEntropyOptions {
  /** Positions whose target equals this contribute nothing and are not counted by 'mean' (torch's `ignore_index`). */
  readonly ignoreIndex?: number;
  /** torch's `label_smoothing` ε: the target distribution is (1 − ε)·onehot(t) + ε/V. */
  readonly labelSmoothing?: number;
  /** A weight per position, the shape of the targets (a loss mask, per-token importance). */
  readonly weights?: tf.Tensor;
  /** 'mean' (default): Σ wᵢ·lᵢ / Σ wᵢ over the counted positions; 'sum': Σ wᵢ·lᵢ; 'none': wᵢ·lᵢ per position. */
  readonly reduction?: LossReduction;
}

/**
 * Cross-entropy of logits [..., V] against integer targets [...] (torch's `F.cross_entropy` over the last axis),
 * without a one-hot: each position's target log-probability is gathered from the flattened log-softmax, so the
 * forward pass holds no [N, V] one-hot and no [N, V] product. Per position, with pᵢ = log softmax(ℓᵢ),
 *   lᵢ = −(1 − ε)·pᵢ[tᵢ] − ε·mean_v pᵢᵥ,
 * which is −Σ_v qᵢᵥ·pᵢᵥ with q = (1 − ε)·onehot + ε/V. As in torch, 'mean' over positions that are all
 * ignored is NaN (0/0). Targets are checked on the host before any work: each must be an integer in [0, V) or the
 * ignore index.
 */
export function sparseCrossEntropy(
  logits: tf.Tensor,
  targets: tf.Tensor | ArrayLike<number>,
  options: SparseCrossEntropyOptions = {},
): tf.Tensor {
  const { ignoreIndex, labelSmoothing = 0, weights, reduction = 'mean' } = options;
  const vocab = logits.shape[logits.rank - 1] as number;
  const leading = logits.shape.slice(0, -1);
  const ids = targets instanceof tf.Tensor ? targets.dataSync() : targets;
  const rows = ids.length;
  checkShapes(leading, targets instanceof tf.Tensor ? targets.shape : [rows], weights);
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new InputError(`sparseCrossEntropy: labelSmoothing must be in [0, 1]; got ${labelSmoothing}`);
  if (rows * vocab > 2 ** 31 - 1) throw new InputError(`sparseCrossEntropy: ${rows}×${vocab} logits exceed int32 gather indices; split the batch`);
  const { flatIndex, counted } = gatherIndices(ids, vocab, ignoreIndex);
  return tf.tidy(() => {
    // log_softmax, not lse(ℓ) − ℓ: tfjs differentiates logSumExp through its max (an Equal mask, a scalar loop on
    // wasm: 4× slower than the whole dense loss at VAR's [2720, 4096]); LogSoftmax has its own gradient.
    const logProbs = tf.logSoftmax(tf.reshape(logits, [rows, vocab]));
    let perRow = tf.neg(tf.gather(tf.reshape(logProbs, [-1]), tf.tensor1d(flatIndex, 'int32')));
    if (labelSmoothing > 0) {
      const smooth = tf.neg(tf.mean(logProbs, 1));
      perRow = tf.add(tf.mul(perRow, 1 - labelSmoothing), tf.mul(smooth, labelSmoothing));
    }
    const factors = [counted && tf.tensor1d(counted, 'float32'), weights && tf.reshape(tf.cast(weights, 'float32'), [rows])].filter((f): f is tf.Tensor => f !== undefined);
    const rowWeights = factors.length > 1 ? tf.mul(factors[0] as tf.Tensor, factors[1] as tf.Tensor) : factors[0];
    const weighted = rowWeights ? tf.mul(perRow, rowWeights) : perRow;
    if (reduction === 'none') return tf.reshape(weighted, leading);
    const total = tf.sum(weighted);
    if (reduction === 'sum') return total;
    return rowWeights ? tf.div(total, tf.sum(rowWeights)) : tf.div(total, rows);
  });
}

/** Index of each position's target in the flattened logits, and (with an ignore index) 1/0 for counted positions. */
function gatherIndices(ids: ArrayLike<number>, vocab: number, ignoreIndex: number | undefined): { flatIndex: Int32Array; counted?: Float32Array } {
  const flatIndex = new Int32Array(ids.length);
  const counted = ignoreIndex === undefined ? undefined : new Float32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const t = ids[i] as number;
    if (t === ignoreIndex) {
      flatIndex[i] = i * vocab; // any valid index: its value is multiplied by 0
      continue;
    }
    if (!Number.isInteger(t) || t < 0 || t >= vocab) {
      const allowed = ignoreIndex === undefined ? '' : ` or the ignore index ${ignoreIndex}`;
      throw new InputError(`sparseCrossEntropy: target ${t} at position ${i} is not a class id in [0, ${vocab})${allowed}`);
    }
    flatIndex[i] = i * vocab + t;
    if (counted) counted[i] = 1;
  }
  return counted ? { flatIndex, counted } : { flatIndex };
}

function checkShapes(leading: readonly number[], targetShape: readonly number[], weights: tf.Tensor | undefined): void {
  const rows = leading.reduce((a, b) => a * b, 1);
  const targetSize = targetShape.reduce((a, b) => a * b, 1);
  if (targetSize !== rows) {
    throw new InputError(`sparseCrossEntropy: targets [${targetShape}] do not match logits [${leading}, V] (${targetSize} targets for ${rows} positions)`);
  }
  if (weights && weights.size !== rows) {
    throw new InputError(`sparseCrossEntropy: weights [${weights.shape}] do not match the ${rows} positions of the targets`);
  }
}
