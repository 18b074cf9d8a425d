import { tf } from '../tf.js';
import { InputError } from '../errors.js';

/**
 * Inputs of the SSD (state-space duality) scan of Mamba-2 (Dao & Gu 2024), per head h and time t:
 *   h_t = exp(dt_t · A_h) · h_{t−1} + dt_t · x_t ⊗ B_t        (state [P, N])
 *   y_t = h_t · C_t + D_h · x_t
 * Heads share B and C within a group (heads per group = H / G).
 */
export interface SsdInputs {
  /** [batch, T, heads, headDim P] */
  readonly x: tf.Tensor;
  /** [batch, T, heads]: step sizes, already positive (after softplus and its bias). */
  readonly dt: tf.Tensor;
  /** [heads]: the (negative) decay rates. */
  readonly A: tf.Tensor;
  /** [batch, T, groups, state N] */
  readonly B: tf.Tensor;
  /** [batch, T, groups, state N] */
  readonly C: tf.Tensor;
  /** [heads]: skip connection (none when omitted). */
  readonly D?: tf.Tensor;
  /** [batch, heads, P, N]: state before the first step (zeros when omitted). */
  readonly initialState?: tf.Tensor;
}

/** A type (not an interface) so that tf.tidy can return it. */
export type SsdResult = {
  /** [batch, T, heads, P] */
  readonly y: tf.Tensor;
  /** [batch, heads, P, N]: the state after the last step (for a recurrent continuation). */
  readonly state: tf.Tensor;
};

interface Dims {
  batch: number;
  length: number;
  heads: number;
  headDim: number;
  groups: number;
  stateDim: number;
}

function checkInputs(inputs: SsdInputs): Dims {
  const { x, dt, A, B, C } = inputs;
  if (x.rank !== 4) throw new InputError(`ssd: x must be [batch, T, heads, headDim], got [${x.shape}]`);
  const [batch, length, heads, headDim] = x.shape as [number, number, number, number];
  const expect = (name: string, t: tf.Tensor | undefined, shape: number[]) => {
    if (t && (t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i]))) {
      throw new InputError(`ssd: ${name} must be [${shape}], got [${t.shape}]`);
    }
  };
  expect('dt', dt, [batch, length, heads]);
  expect('A', A, [heads]);
  if (B.rank !== 4) throw new InputError(`ssd: B must be [batch, T, groups, state], got [${B.shape}]`);
  const [, , groups, stateDim] = B.shape as [number, number, number, number];
  if (heads % groups !== 0) throw new InputError(`ssd: ${heads} heads are not divisible into ${groups} groups`);
  expect('B', B, [batch, length, groups, stateDim]);
  expect('C', C, [batch, length, groups, stateDim]);
  expect('D', inputs.D, [heads]);
  expect('initialState', inputs.initialState, [batch, heads, headDim, stateDim]);
  return { batch, length, heads, headDim, groups, stateDim };
}

/** [.., G, N] → [.., H, N]: each head takes its group's B or C. */
function perHead(t: tf.Tensor, groups: number, heads: number, axis: number): tf.Tensor {
  if (groups === heads) return t;
  const reps = t.shape.map((_, i) => (i === axis ? heads / groups : 1));
  if (groups === 1) return tf.tile(t, reps);
  const index = tf.tensor1d(Array.from({ length: heads }, (_, h) => Math.floor(h / (heads / groups))), 'int32');
  return tf.gather(t, index, axis);
}

/**
 * exp of the segment sums of `a` [..., Q] along its last axis, transposed: out[..., j, i] = exp(Σ_{k=j+1..i} a_k) for
 * i ≥ j and 0 for i < j. The sums are cumulative sums of a masked copy (no differences of running totals), so they
 * lose no precision when the totals are large, as mamba_ssm's segsum. The [j, i] orientation keeps the cumulative
 * sum on the last axis: tfjs 4.22's Cumsum gradient is wrong on any other axis (a transposed result, silently so for
 * square shapes).
 */
function decayMatrixT(a: tf.Tensor): tf.Tensor {
  const q = a.shape[a.rank - 1] as number;
  const above = tf.tensor2d(Array.from({ length: q * q }, (_, n) => (n % q > Math.floor(n / q) ? 1 : 0)), [q, q]);
  const aboveOrOn = tf.tensor2d(Array.from({ length: q * q }, (_, n) => (n % q >= Math.floor(n / q) ? 1 : 0)), [q, q]);
  // repeated[..., j, k] = a_k where k > j, else 0; its cumulative sum over k is Σ_{j<k≤i} a_k at [j, i].
  const repeated = tf.mul(tf.expandDims(a, -2), above);
  const sums = tf.cumsum(repeated, a.rank);
  return tf.mul(tf.exp(sums), aboveOrOn);
}

/**
 * The chunked parallel form of the SSD scan (mamba_ssm's ssd_minimal_discrete, the algorithm of its Triton kernels):
 * within each chunk of `chunkSize` steps the output is a masked (C Bᵀ ∘ decay) matrix product; the states at chunk
 * ends are carried across chunks by a second, small decay-matrix product. Everything is batched matMuls, so it is
 * differentiable and fast on every backend; the products with B and C are shared by the heads of a group (no copy of
 * B and C per head). T need not be a multiple of chunkSize (the tail is padded with dt = 0, which changes neither
 * the outputs nor the final state).
 */
export function ssdChunked(inputs: SsdInputs, options: { readonly chunkSize?: number } = {}): SsdResult {
  const dims = checkInputs(inputs);
  const { length, heads, groups } = dims;
  const q = Math.max(1, Math.min(options.chunkSize ?? 64, length));
  if (groups === 1) return tf.tidy(() => ssdOneGroup(inputs, dims, q));
  // Heads of one group share B and C: scan each group's heads on their own, then put the heads back together.
  return tf.tidy(() => {
    const per = heads / groups;
    const parts = Array.from({ length: groups }, (_, g) => {
      const headSlice = (t: tf.Tensor, axis: number) => tf.slice(t, t.shape.map((_, i) => (i === axis ? g * per : 0)), t.shape.map((d, i) => (i === axis ? per : d)));
      const groupSlice = (t: tf.Tensor) => tf.slice(t, [0, 0, g, 0], [-1, -1, 1, -1]);
      return ssdOneGroup(
        {
          x: headSlice(inputs.x, 2),
          dt: headSlice(inputs.dt, 2),
          A: headSlice(inputs.A, 0),
          B: groupSlice(inputs.B),
          C: groupSlice(inputs.C),
          ...(inputs.D ? { D: headSlice(inputs.D, 0) } : {}),
          ...(inputs.initialState ? { initialState: headSlice(inputs.initialState, 1) } : {}),
        },
        { ...dims, heads: per, groups: 1 },
        q,
      );
    });
    return { y: tf.concat(parts.map((p) => p.y), 2), state: tf.concat(parts.map((p) => p.state), 1) };
  });
}

/** ssdChunked for heads that all share one B and C (groups = 1). Runs inside the caller's tidy. */
function ssdOneGroup(inputs: SsdInputs, dims: Dims, q: number): SsdResult {
  const { batch, length, heads, headDim, stateDim } = dims;
  const chunks = Math.ceil(length / q);
  const padded = chunks * q;
  const pad = (t: tf.Tensor): tf.Tensor => (padded === length ? t : tf.pad(t, t.shape.map((_, i) => (i === 1 ? [0, padded - length] : [0, 0])) as Array<[number, number]>));
  const bc = batch * chunks;
  const hp = heads * headDim;
  // Layouts: [b, c, Q, …] for what the heads share, [b, h, c, Q, …] for what they do not.
  const b3 = tf.reshape(pad(inputs.B), [bc, q, stateDim]);
  const c3 = tf.reshape(pad(inputs.C), [bc, q, stateDim]);
  const dt = pad(inputs.dt);
  const xdt = tf.reshape(tf.mul(pad(inputs.x), tf.expandDims(dt, -1)), [batch, chunks, q, heads, headDim]);
  const dtA = tf.transpose(tf.reshape(tf.mul(dt, inputs.A), [batch, chunks, q, heads]), [0, 3, 1, 2]); // [b, h, c, Q]
  const cumulative = tf.cumsum(dtA, 3);
  const xh = tf.transpose(xdt, [0, 3, 1, 2, 4]); // [b, h, c, Q, P]
  // 1. Within chunks: y_i = Σ_{j≤i} (C_i·B_j) exp(Σ_{j<k≤i} dtA_k) dt_j x_j, as [j, i] matrices.
  const shared = tf.reshape(tf.matMul(b3, c3, false, true), [batch, 1, chunks, q, q]);
  const withinT = tf.reshape(tf.mul(shared, decayMatrixT(dtA)), [batch * heads * chunks, q, q]);
  const yDiagonal = tf.matMul(withinT, tf.reshape(xh, [batch * heads * chunks, q, headDim]), true, false); // [bhc, Q, P]
  // 2. The state each chunk adds at its end: Σ_j exp(Σ_{j<k≤end} dtA_k) dt_j x_j ⊗ B_j, all heads in one product.
  const last = tf.slice(cumulative, [0, 0, 0, q - 1], [-1, -1, -1, 1]);
  const weighted = tf.mul(xh, tf.expandDims(tf.exp(tf.sub(last, cumulative)), -1)); // [b, h, c, Q, P]
  const weightedShared = tf.reshape(tf.transpose(weighted, [0, 2, 3, 1, 4]), [bc, q, hp]);
  const added = tf.transpose(tf.reshape(tf.matMul(weightedShared, b3, true, false), [batch, chunks, heads, headDim * stateDim]), [0, 2, 1, 3]); // [b, h, c, P·N]
  // 3. Across chunks: the state entering chunk z = Σ_{c<z} exp(decay of chunks c+1 … z−1) added_c (+ the initial).
  const chunkDecay = tf.pad(tf.reshape(last, [batch, heads, chunks]), [[0, 0], [0, 0], [1, 0]]);
  const acrossT = tf.reshape(decayMatrixT(chunkDecay), [batch * heads, chunks + 1, chunks + 1]);
  const initial = inputs.initialState ? tf.reshape(inputs.initialState, [batch, heads, 1, headDim * stateDim]) : tf.zeros([batch, heads, 1, headDim * stateDim]);
  const states = tf.reshape(tf.concat([initial, added], 2), [batch * heads, chunks + 1, headDim * stateDim]);
  // Slices stay 4-D: tfjs-wasm slices rank-5 tensors in a slow generic loop (300 ms here for 1 MB).
  const carried = tf.reshape(tf.matMul(acrossT, states, true, false), [batch, heads, chunks + 1, headDim * stateDim]);
  const entering = tf.reshape(tf.slice(carried, [0, 0, 0, 0], [-1, -1, chunks, -1]), [batch, heads, chunks, headDim, stateDim]);
  const finalState = tf.reshape(tf.slice(carried, [0, 0, chunks, 0], [-1, -1, 1, -1]), [batch, heads, headDim, stateDim]);
  // 4. What the entering state contributes inside the chunk: C_i · state · exp(Σ_{k≤i} dtA_k).
  const enteringShared = tf.reshape(tf.transpose(entering, [0, 2, 4, 1, 3]), [bc, stateDim, hp]);
  const fromState = tf.reshape(tf.matMul(c3, enteringShared), [batch, chunks, q, heads, headDim]);
  const yOff = tf.mul(fromState, tf.expandDims(tf.transpose(tf.exp(cumulative), [0, 2, 3, 1]), -1));
  const yDiagonalShared = tf.transpose(tf.reshape(yDiagonal, [batch, heads, chunks, q, headDim]), [0, 2, 3, 1, 4]);
  let y = tf.reshape(tf.add(yDiagonalShared, yOff), [batch, padded, heads, headDim]);
  if (padded !== length) y = tf.slice(y, [0, 0, 0, 0], [-1, length, -1, -1]);
  if (inputs.D) y = tf.add(y, tf.mul(inputs.x, tf.reshape(inputs.D, [heads, 1])));
  return { y, state: finalState };
}

/** Inputs of one recurrent step: the SsdInputs of a single time step, without the T axis. */
export interface SsdStepInputs {
  /** [batch, heads, P] */
  readonly x: tf.Tensor;
  /** [batch, heads] */
  readonly dt: tf.Tensor;
  readonly A: tf.Tensor;
  /** [batch, groups, N] */
  readonly B: tf.Tensor;
  readonly C: tf.Tensor;
  readonly D?: tf.Tensor;
}

/** One step of the recurrence from `state` [batch, heads, P, N]: the new state and y_t [batch, heads, P]. */
export function ssdStep(state: tf.Tensor, inputs: SsdStepInputs): SsdResult {
  return tf.tidy(() => {
    const heads = inputs.x.shape[1] as number;
    const groups = inputs.B.shape[1] as number;
    const b = perHead(inputs.B, groups, heads, 1); // [batch, H, N]
    const c = perHead(inputs.C, groups, heads, 1);
    const decay = tf.exp(tf.mul(inputs.dt, inputs.A)); // [batch, H]
    const xdt = tf.mul(inputs.x, tf.expandDims(inputs.dt, -1)); // [batch, H, P]
    const next = tf.add(tf.mul(state, tf.reshape(decay, [...decay.shape, 1, 1])), tf.mul(tf.expandDims(xdt, -1), tf.expandDims(b, 2)));
    let y = tf.sum(tf.mul(next, tf.expandDims(c, 2)), -1); // [batch, H, P]
    if (inputs.D) y = tf.add(y, tf.mul(inputs.x, tf.reshape(inputs.D, [heads, 1])));
    return { y, state: next };
  });
}
