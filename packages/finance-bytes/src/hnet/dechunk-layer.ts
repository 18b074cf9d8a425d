import { bfloat16ToFloat, floatToBfloat16, ssdChunked, tf } from '@nextx/core';
import { slotSources, type MaskedChunkPlan, type PackedChunkPlan } from './chunk-layer.js';

/** The clamp of p before the EMA (README 4.3.1), as float32 constants. */
export const DECHUNK_P_MIN = Math.fround(1e-4);
export const DECHUNK_P_MAX = Math.fround(1 - 1e-4);

/**
 * The dtype of the dechunk EMA's kernel inputs. The official DeChunkLayer defaults to bfloat16 whatever the model
 * dtype (README 6.4); float32 is the better-defined choice for training from scratch and is what has gradients here.
 */
export type KernelDtype = 'float32' | 'bfloat16';

export interface DechunkResult {
  /** Clamped p at the chunk slots ([B, M] or [T']). */
  readonly pSel: tf.Tensor;
  /** The kernel's inputs dt = log(1/(1 − p)), x = z/dt and B = p (rounded to bf16 on that path). */
  readonly dt: tf.Tensor;
  readonly x: tf.Tensor;
  readonly beta: tf.Tensor;
  /** The EMA over chunk slots, S_j = exp(−dt_j)·S_{j−1} + dt_j·x_j·β_j ([B, M, D] or [T', D]). */
  readonly ema: tf.Tensor;
  /** Upsampled: position t reads slot plugBack[t] ([B, L, D] or [T, D]). */
  readonly out: tf.Tensor;
}

const round16 = (v: number) => bfloat16ToFloat(floatToBfloat16(v));

/**
 * The EMA as the official code computes it: a Mamba-2 SSD scan (core's ssdChunked, one head, state size 1) with
 * dt = log(1/(1−p)), x = z/dt, A = −1, B = p, C = 1; in exact arithmetic S_j = p_j z_j + (1 − p_j) S_{j−1}. Rows of
 * `z` [R, M, D] are independent sequences. Differentiable.
 */
function emaFloat32(z: tf.Tensor, pSel: tf.Tensor): { dt: tf.Tensor; x: tf.Tensor; ema: tf.Tensor } {
  const [rows, slots, dim] = z.shape as [number, number, number];
  const dt = tf.log(tf.reciprocal(tf.sub(1, pSel)));
  const x = tf.div(z, tf.expandDims(dt, -1));
  const { y } = ssdChunked(
    {
      x: tf.reshape(x, [rows, slots, 1, dim]),
      dt: tf.reshape(dt, [rows, slots, 1]),
      A: tf.tensor1d([-1]),
      B: tf.reshape(pSel, [rows, slots, 1, 1]),
      C: tf.ones([rows, slots, 1, 1]),
    },
    { chunkSize: 256 },
  );
  return { dt, x, ema: tf.reshape(y, [rows, slots, dim]) };
}

/**
 * The official default path (bfloat16 kernel inputs, README 4.3.4–4.3.6), emulated on the host: dt, x = z/dt and
 * β = p rounded to bfloat16 (round to nearest even), the recurrence in float64, the result rounded to bfloat16.
 * `segmentStart(j)` says where a new sequence starts (the scan restarts from 0). Forward only: no gradient.
 */
function emaBfloat16(z: tf.Tensor, pSel: tf.Tensor, segmentStart: (slot: number) => boolean): { dt: tf.Tensor; x: tf.Tensor; beta: tf.Tensor; ema: tf.Tensor } {
  const shape = z.shape;
  const dim = shape[shape.length - 1] as number;
  const p = pSel.dataSync();
  const zv = z.dataSync();
  const dt = new Float32Array(p.length);
  const beta = new Float32Array(p.length);
  const x = new Float32Array(zv.length);
  const ema = new Float32Array(zv.length);
  const state = new Float64Array(dim);
  for (let j = 0; j < p.length; j++) {
    const pj = p[j] as number;
    dt[j] = round16(Math.fround(Math.log(Math.fround(1 / Math.fround(1 - pj)))));
    beta[j] = round16(pj);
    if (segmentStart(j)) state.fill(0);
    const decay = Math.exp(-(dt[j] as number));
    for (let d = 0; d < dim; d++) {
      const i = j * dim + d;
      x[i] = round16(Math.fround((zv[i] as number) / (dt[j] as number)));
      state[d] = decay * (state[d] as number) + (dt[j] as number) * (x[i] as number) * (beta[j] as number);
      ema[i] = round16(state[d] as number);
    }
  }
  return { dt: tf.tensor(dt, pSel.shape), x: tf.tensor(x, shape), beta: tf.tensor(beta, pSel.shape), ema: tf.tensor(ema, shape) };
}

/** Mask mode: z [B, M, D] from the main network, p [B, L] from the routing module → DechunkResult. */
export function dechunkMasked(z: tf.Tensor, p: tf.Tensor, plan: MaskedChunkPlan, kernel: KernelDtype = 'float32'): DechunkResult {
  return tf.tidy(() => {
    const { batch, length, maxChunks } = plan;
    const dim = z.shape[2] as number;
    const clamped = tf.clipByValue(p, DECHUNK_P_MIN, DECHUNK_P_MAX);
    const pSel = tf.reshape(tf.gather(tf.reshape(clamped, [batch * length]), tf.tensor1d(slotSources(plan), 'int32')), [batch, maxChunks]);
    const parts = kernel === 'float32' ? { ...emaFloat32(z, pSel), beta: pSel } : emaBfloat16(z, pSel, (j) => j % maxChunks === 0);
    const back = new Int32Array(batch * length);
    for (let b = 0; b < batch; b++) for (let t = 0; t < length; t++) back[b * length + t] = b * maxChunks + (plan.plugBack[b * length + t] as number);
    const out = tf.reshape(tf.gather(tf.reshape(parts.ema, [batch * maxChunks, dim]), tf.tensor1d(back, 'int32')), [batch, length, dim]);
    return { pSel, ...parts, out };
  });
}

/** Packed mode: z [T', D], p [T] → DechunkResult; the scan restarts at every sequence's first chunk. */
export function dechunkPacked(z: tf.Tensor, p: tf.Tensor, plan: PackedChunkPlan, kernel: KernelDtype = 'float32'): DechunkResult {
  return tf.tidy(() => {
    const dim = z.shape[1] as number;
    const clamped = tf.clipByValue(p, DECHUNK_P_MIN, DECHUNK_P_MAX);
    const pSel = tf.gather(clamped, tf.tensor1d(plan.selected, 'int32'));
    let parts: Omit<DechunkResult, 'pSel' | 'out'>;
    if (kernel === 'bfloat16') {
      parts = emaBfloat16(z, pSel, (j) => j === 0 || plan.seqIdx[j] !== plan.seqIdx[j - 1]);
    } else {
      const pieces = plan.nextCuSeqlens.slice(0, -1).map((start, s) => {
        const size = (plan.nextCuSeqlens[s + 1] as number) - start;
        return emaFloat32(tf.expandDims(tf.slice(z, [start, 0], [size, dim]), 0), tf.expandDims(tf.slice(pSel, [start], [size]), 0));
      });
      const join = (key: 'dt' | 'x' | 'ema') => tf.concat(pieces.map((piece) => tf.squeeze(piece[key], [0])), 0);
      parts = { dt: join('dt'), x: join('x'), ema: join('ema'), beta: pSel };
    }
    const out = tf.gather(parts.ema, tf.tensor1d(plan.plugBack, 'int32'));
    return { pSel, ...parts, out };
  });
}

/**
 * One streaming step (README 4.8, DeChunkLayer.step): rows with a boundary take out = p̃·z + (1 − p̃)·out_{t−1},
 * the others repeat out_{t−1} exactly. The plain EMA in float32, as the official step path. Any batch size (the
 * official step is batch-1 only: p of shape (B,) multiplies a (B, D) tensor).
 */
export function dechunkStep(previous: tf.Tensor, z: tf.Tensor, p: tf.Tensor, boundary: Uint8Array): tf.Tensor {
  return tf.tidy(() => {
    const clamped = tf.expandDims(tf.clipByValue(p, DECHUNK_P_MIN, DECHUNK_P_MAX), -1);
    const smoothed = tf.add(tf.mul(clamped, z), tf.mul(tf.sub(1, clamped), previous));
    const take = tf.tensor2d(boundary, [boundary.length, 1], 'bool');
    return tf.where(take, smoothed, previous);
  });
}
