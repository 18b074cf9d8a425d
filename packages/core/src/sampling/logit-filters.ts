import { tf } from '../tf.js';
import quickselect from 'quickselect';
import { RadixScratch, sortAscending } from './float-radix.js';
import { InputError } from '../errors.js';
import { activeBlas } from '../backend/wasm/native-blas.js';

/**
 * Logits on the host, rows × vocab row-major float32, that the filters below change in place. The categorical sampler
 * reads a step's logits once and runs its whole pipeline here: wasm's Less and Select are scalar loops (35 ms for 155
 * rows of 4096), and every round trip through a tensor copies the logits twice.
 */
export interface HostLogits {
  readonly values: Float32Array;
  readonly rows: number;
  readonly vocab: number;
}

function forEachRow(logits: HostLogits, f: (row: Float32Array, r: number) => void): void {
  for (let r = 0; r < logits.rows; r++) f(logits.values.subarray(r * logits.vocab, (r + 1) * logits.vocab), r);
}

/** x / T as tfjs's float32 division computes it (T rounded to float32 first). */
export function divideByTemperature(logits: HostLogits, temperature: number): void {
  const t = Math.fround(temperature);
  const { values } = logits;
  for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) / t;
}

/**
 * Every entry strictly below the k-th largest of its row set to −inf (VAR's top-k rule: ties with the k-th stay).
 * The k-th largest is found by selection (quickselect, O(V) per row), not by sorting.
 */
export function topKInPlace(logits: HostLogits, k: number): void {
  const { vocab } = logits;
  if (k <= 0 || k >= vocab) return;
  const scratch = new Float32Array(vocab);
  forEachRow(logits, (row) => {
    scratch.set(row);
    quickselect(scratch as unknown as number[], vocab - k);
    const kth = scratch[vocab - k] as number;
    for (let i = 0; i < vocab; i++) if ((row[i] as number) < kth) row[i] = -Infinity;
  });
}

/**
 * Nucleus filtering with VAR's rule (`sample_with_top_k_top_p_`): sort ascending, take the softmax cumulative sum
 * (float64), remove the entries whose cumulative mass is ≤ 1 − p; the largest entry always stays. Ties sort by index,
 * so where the cut falls inside a run of equal values the lowest indices go first. Only the finite entries are sorted
 * (after top-k, typically a fifth of them), as values (radix sort): the cut is a count R, and the removed set is every
 * value below the R-th smallest plus the lowest-index ones equal to it. The softmax is normalised over the sorted values.
 */
export function topPInPlace(logits: HostLogits, p: number): void {
  if (p <= 0 || p >= 1) return;
  const scratch = new Float32Array(logits.vocab);
  const exps = new Float64Array(logits.vocab);
  const radix = new RadixScratch(logits.vocab);
  forEachRow(logits, (row) => {
    let n = 0;
    for (let i = 0; i < row.length; i++) if ((row[i] as number) > -Infinity) scratch[n++] = row[i] as number;
    if (n < 2) return;
    sortAscending(scratch, n, radix);
    const sorted = scratch.subarray(0, n);
    const max = sorted[n - 1] as number;
    let sum = 0;
    for (let j = 0; j < n; j++) sum += exps[j] = Math.exp((sorted[j] as number) - max);
    let cumulative = 0;
    let removed = 0;
    for (; removed < n - 1; removed++) {
      cumulative += (exps[removed] as number) / sum;
      if (cumulative > 1 - p) break;
    }
    if (removed > 0) removeSmallest(row, sorted, removed);
  });
}

/**
 * topKInPlace then topPInPlace (each off where its value is), in one call of @nextx/native-blas where it is loaded
 * (one radix sort per row in C++ on the same host array: 155 rows of 4,096 in about 7 ms instead of 17), else the two
 * functions above. The same entries, except where a cumulative share falls within float64 rounding of 1 − p.
 */
export function topKTopPInPlace(logits: HostLogits, k: number, p: number): void {
  const useK = k > 0 && k < logits.vocab;
  const useP = p > 0 && p < 1;
  if (!useK && !useP) return;
  const native = activeBlas();
  if (native && typeof native.filterLogits === 'function') {
    native.filterLogits(logits.values, { rows: logits.rows, vocab: logits.vocab, values: 0, topK: useK ? k : 0, topP: useP ? p : 0 });
    return;
  }
  topKInPlace(logits, k);
  topPInPlace(logits, p);
}

/** Sets the `count` smallest entries of a row to −inf, ties broken towards the lower index; `sorted`: its finite values, ascending. */
function removeSmallest(row: Float32Array, sorted: Float32Array, count: number): void {
  const threshold = sorted[count - 1] as number;
  let below = 0;
  while ((sorted[below] as number) < threshold) below++;
  let equalToRemove = count - below;
  for (let i = 0; i < row.length; i++) {
    const v = row[i] as number;
    if (v < threshold) row[i] = -Infinity;
    else if (v === threshold && equalToRemove > 0) {
      row[i] = -Infinity;
      equalToRemove--;
    }
  }
}

/** min-p: remove tokens whose probability is below `minP` times the row's largest: ℓ_i < ℓ_max + log(minP) (float32). */
export function minPInPlace(logits: HostLogits, minP: number): void {
  if (minP <= 0) return;
  const offset = Math.fround(Math.log(minP));
  forEachRow(logits, (row) => {
    let max = -Infinity;
    for (let i = 0; i < row.length; i++) max = Math.max(max, row[i] as number);
    const threshold = Math.fround(max + offset);
    for (let i = 0; i < row.length; i++) if ((row[i] as number) < threshold) row[i] = -Infinity;
  });
}

/**
 * CTRL's repetition penalty: for each row, the logits of already generated ids are divided by `penalty` when positive
 * and multiplied by it when negative. `previous[r]` lists row r's earlier ids.
 */
export function repetitionPenaltyInPlace(logits: HostLogits, previous: readonly (readonly number[])[], penalty: number): void {
  if (penalty === 1) return;
  forEachRow(logits, (row, r) => {
    for (const id of new Set(previous[r] ?? [])) {
      const v = row[id] as number;
      row[id] = v > 0 ? v / penalty : v * penalty;
    }
  });
}

/** The max and Σ exp(x − max) of a row (index order, float64; −inf entries add nothing): softmax64's normalisation. */
export function softmaxNormaliser(row: ArrayLike<number>): { max: number; sum: number } {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i] as number);
  let sum = 0;
  for (let i = 0; i < row.length; i++) if ((row[i] as number) !== -Infinity) sum += Math.exp((row[i] as number) - max);
  return { max, sum };
}

/** Softmax of one row in float64 (−inf entries get probability 0). */
export function softmax64(row: ArrayLike<number>): Float64Array {
  const out = new Float64Array(row.length);
  softmax64Into(row, out);
  return out;
}

/** softmax64 written into `out` (its first row.length entries), each exp computed once: the same values. */
export function softmax64Into(row: ArrayLike<number>, out: Float64Array): void {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i] as number);
  let sum = 0;
  for (let i = 0; i < row.length; i++) {
    const x = row[i] as number;
    const e = x === -Infinity ? 0 : Math.exp(x - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < row.length; i++) out[i] = (out[i] as number) / sum;
}

/**
 * What a logit constraint gives for one step: an additive bias (float; −Infinity bans a token) or a mask (a bool tensor,
 * or a Uint8Array where nonzero means allowed), either for every row ([N, V], N·V values) or shared by all rows ([V]).
 */
export type LogitBias = tf.Tensor | Float32Array | Uint8Array;

/**
 * Adds an additive bias, or sets the entries a mask disallows to −inf, and bans `bannedIds`. A row left without any
 * allowed token is an InputError: there is nothing to sample from.
 */
export function logitBiasInPlace(logits: HostLogits, bias: LogitBias | undefined, bannedIds: readonly number[] = []): void {
  const { values, rows, vocab } = logits;
  if (!bias && bannedIds.length === 0) return;
  if (bias) addBias(values, rows, vocab, bias);
  for (const id of bannedIds) {
    if (!(Number.isInteger(id) && id >= 0 && id < vocab)) throw new InputError(`banned id ${id} is not in [0, ${vocab})`);
    for (let r = 0; r < rows; r++) values[r * vocab + id] = -Infinity;
  }
  forEachRow(logits, (row, r) => {
    if (!row.some((v) => v > -Infinity)) throw new InputError(`logit bias: row ${r} has no allowed token left (every logit is −inf)`);
  });
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

/** Logits [N, V] read to the host, changed there by `filter`, and returned as a new tensor. */
export function filterOnHost(logits: tf.Tensor2D, filter: (host: HostLogits) => void): tf.Tensor2D {
  const [rows, vocab] = logits.shape;
  const host = { values: Float32Array.from(logits.dataSync() as Float32Array), rows, vocab };
  filter(host);
  return tf.tensor2d(host.values, [rows, vocab]);
}

/** Tensor forms of the filters above (each returns a new tensor). */
export const applyTopK = (logits: tf.Tensor2D, k: number): tf.Tensor2D => filterOnHost(logits, (l) => topKInPlace(l, k));
export const applyTopP = (logits: tf.Tensor2D, p: number): tf.Tensor2D => filterOnHost(logits, (l) => topPInPlace(l, p));
export const applyMinP = (logits: tf.Tensor2D, minP: number): tf.Tensor2D => filterOnHost(logits, (l) => minPInPlace(l, minP));
export const applyRepetitionPenalty = (logits: tf.Tensor2D, previous: readonly (readonly number[])[], penalty: number): tf.Tensor2D =>
  filterOnHost(logits, (l) => repetitionPenaltyInPlace(l, previous, penalty));
export const applyLogitBias = (logits: tf.Tensor2D, bias: LogitBias | undefined, bannedIds: readonly number[] = []): tf.Tensor2D =>
  filterOnHost(logits, (l) => logitBiasInPlace(l, bias, bannedIds));
