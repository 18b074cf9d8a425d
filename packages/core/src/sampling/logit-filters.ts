import { tf } from '../tf.js';
import { InputError } from '../errors.js';

/**
 * Logits [N, V] with every entry strictly below the k-th largest of its row set to −inf (VAR's top-k rule). The k-th
 * values come from tf.topk; the comparison runs on the host, because wasm's Less and Select are scalar loops (35 ms
 * for 155 rows of 4096, against about 1 ms here).
 */
export function applyTopK(logits: tf.Tensor2D, k: number): tf.Tensor2D {
  const [rows, vocab] = logits.shape;
  if (k <= 0 || k >= vocab) return tf.clone(logits);
  const kthTensor = tf.tidy(() => tf.slice(tf.topk(logits, k, true).values, [0, k - 1], [-1, 1]));
  const kth = kthTensor.dataSync();
  kthTensor.dispose();
  const out = Float32Array.from(logits.dataSync() as Float32Array);
  for (let r = 0; r < rows; r++) {
    const threshold = kth[r] as number;
    for (let i = r * vocab; i < (r + 1) * vocab; i++) if ((out[i] as number) < threshold) out[i] = -Infinity;
  }
  return tf.tensor2d(out, [rows, vocab]);
}

/**
 * Nucleus filtering with VAR's rule (`sample_with_top_k_top_p_`): sort ascending, take the softmax cumulative sum,
 * remove entries whose cumulative mass is ≤ 1 − p; the largest entry always stays. Done on the host in float64 per
 * row (N·V up to a few times 4096 per call).
 */
export function applyTopP(logits: tf.Tensor2D, p: number): tf.Tensor2D {
  if (p <= 0 || p >= 1) return tf.clone(logits);
  const [rows, vocab] = logits.shape;
  const values = logits.dataSync() as Float32Array;
  const out = Float32Array.from(values);
  for (let r = 0; r < rows; r++) {
    const row = values.subarray(r * vocab, (r + 1) * vocab);
    // Entries already at −inf (after top-k, typically most of them) carry no mass: only the others are sorted.
    const order: number[] = [];
    for (let i = 0; i < vocab; i++) if ((row[i] as number) > -Infinity) order.push(i);
    order.sort((a, b) => (row[a] as number) - (row[b] as number) || a - b);
    const probs = softmax64(row);
    let cumulative = 0;
    for (let rank = 0; rank < order.length - 1; rank++) {
      const index = order[rank] as number;
      cumulative += probs[index] as number;
      if (cumulative <= 1 - p) out[r * vocab + index] = -Infinity;
    }
  }
  return tf.tensor2d(out, [rows, vocab]);
}

/** min-p: remove tokens whose probability is below `minP` times the row's largest probability. */
export function applyMinP(logits: tf.Tensor2D, minP: number): tf.Tensor2D {
  if (minP <= 0) return tf.clone(logits);
  return tf.tidy(() => {
    // p_i < minP·p_max  ⇔  ℓ_i < ℓ_max + log(minP)
    const threshold = tf.add(tf.max(logits, 1, true), Math.log(minP));
    return tf.where(tf.less(logits, threshold), tf.fill(logits.shape, -Infinity), logits) as tf.Tensor2D;
  });
}

/**
 * CTRL's repetition penalty: for each row, the logits of already generated ids are divided by `penalty` when positive
 * and multiplied by it when negative. `previous[r]` lists row r's earlier ids.
 */
export function applyRepetitionPenalty(logits: tf.Tensor2D, previous: readonly (readonly number[])[], penalty: number): tf.Tensor2D {
  if (penalty === 1) return tf.clone(logits);
  const [rows, vocab] = logits.shape;
  const out = Float32Array.from(logits.dataSync() as Float32Array);
  for (let r = 0; r < rows; r++) {
    for (const id of new Set(previous[r] ?? [])) {
      const at = r * vocab + id;
      const v = out[at] as number;
      out[at] = v > 0 ? v / penalty : v * penalty;
    }
  }
  return tf.tensor2d(out, [rows, vocab]);
}

/** Softmax of one row in float64 (−inf entries get probability 0). */
export function softmax64(row: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i] as number);
  const out = new Float64Array(row.length);
  let sum = 0;
  for (let i = 0; i < row.length; i++) {
    const e = (row[i] as number) === -Infinity ? 0 : Math.exp((row[i] as number) - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < row.length; i++) out[i] = (out[i] as number) / sum;
  return out;
}

/**
 * What a logit constraint gives for one step: an additive bias (float; −Infinity bans a token) or a mask (a bool tensor,
 * or a Uint8Array where nonzero means allowed), either for every row ([N, V], N·V values) or shared by all rows ([V]).
 */
export type LogitBias = tf.Tensor | Float32Array | Uint8Array;

/**
 * Logits [N, V] plus an additive bias, or with the entries a mask disallows set to −inf. Done on the host (the sampler
 * reads the logits there anyway; wasm's Select is a scalar loop). A row left without any allowed token is an
 * InputError: there is nothing to sample from.
 */
export function applyLogitBias(logits: tf.Tensor2D, bias: LogitBias | undefined, bannedIds: readonly number[] = []): tf.Tensor2D {
  if (!bias && bannedIds.length === 0) return tf.clone(logits);
  const [rows, vocab] = logits.shape;
  const out = Float32Array.from(logits.dataSync() as Float32Array);
  if (bias) addBias(out, rows, vocab, bias);
  for (const id of bannedIds) {
    if (!(Number.isInteger(id) && id >= 0 && id < vocab)) throw new InputError(`banned id ${id} is not in [0, ${vocab})`);
    for (let r = 0; r < rows; r++) out[r * vocab + id] = -Infinity;
  }
  for (let r = 0; r < rows; r++) {
    let allowed = false;
    for (let i = r * vocab; i < (r + 1) * vocab && !allowed; i++) allowed = (out[i] as number) > -Infinity;
    if (!allowed) throw new InputError(`logit bias: row ${r} has no allowed token left (every logit is −inf)`);
  }
  return tf.tensor2d(out, [rows, vocab]);
}

function addBias(out: Float32Array, rows: number, vocab: number, bias: LogitBias): void {
  const isMask = bias instanceof Uint8Array || (bias instanceof tf.Tensor && bias.dtype === 'bool');
  const values = bias instanceof tf.Tensor ? bias.dataSync() : bias;
  if (values.length !== vocab && values.length !== rows * vocab) {
    const shape = bias instanceof tf.Tensor ? `[${bias.shape}]` : `${values.length} values`;
    throw new InputError(`logit bias: ${shape} fits neither [${rows}, ${vocab}] nor [${vocab}]`);
  }
  const shared = values.length === vocab;
  for (let i = 0; i < out.length; i++) {
    const b = values[shared ? i % vocab : i] as number;
    out[i] = isMask ? (b ? (out[i] as number) : -Infinity) : (out[i] as number) + b;
  }
}
