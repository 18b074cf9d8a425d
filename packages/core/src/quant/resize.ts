import { tf } from '../tf.js';
import type { TensorCache } from '../nn/tensor-cache.js';

/** Interpolation modes of torch.nn.functional.interpolate that nextx reproduces exactly. */
export type ResizeMode = 'area' | 'bicubic' | 'nearest';

/**
 * The [n, m] matrix that maps an axis of length m to length n, in float64 (rows are output indices).
 *  - area: adaptive average pooling; output i averages inputs [⌊i·m/n⌋, ⌈(i+1)·m/n⌉) (windows overlap when n ∤ m).
 *  - bicubic: align_corners=False, A = −0.75, no antialias; src = (i + ½)·m/n − ½ unclamped, taps i0−1…i0+2 clamped
 *    to [0, m−1] with weights [c2(t+1), c1(t), c1(1−t), c2(2−t)].
 *  - nearest: torch's 'nearest' (not 'nearest-exact'): input ⌊i·m/n⌋.
 */
export function resizeMatrix(mode: ResizeMode, m: number, n: number): Float64Array {
  const w = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    if (mode === 'area') {
      const begin = Math.floor((i * m) / n);
      const end = Math.ceil(((i + 1) * m) / n);
      for (let j = begin; j < end; j++) w[i * m + j] = 1 / (end - begin);
    } else if (mode === 'nearest') {
      w[i * m + Math.min(Math.floor((i * m) / n), m - 1)] = 1;
    } else {
      const src = (i + 0.5) * (m / n) - 0.5;
      const i0 = Math.floor(src);
      const t = src - i0;
      const weights = [cubicFar(t + 1), cubicNear(t), cubicNear(1 - t), cubicFar(2 - t)];
      weights.forEach((weight, tap) => {
        const j = Math.min(Math.max(i0 - 1 + tap, 0), m - 1);
        w[i * m + j] = (w[i * m + j] as number) + weight;
      });
    }
  }
  return w;
}

const A = -0.75;
/** Keys' cubic convolution kernel for |x| ≤ 1 and 1 < |x| < 2 (PyTorch's cubic_convolution1/2). */
const cubicNear = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1;
const cubicFar = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;

/** The [n, m] matrix of `resizeMatrix` as a float32 tensor, from `cache` when one is given (else a new tensor). */
function matrixTensor(mode: ResizeMode, m: number, n: number, cache: TensorCache | undefined): tf.Tensor2D {
  const build = () => tf.tensor2d(Float32Array.from(resizeMatrix(mode, m, n)), [n, m]);
  return cache ? cache.get(`${mode}:${m}:${n}`, build) : build();
}

/**
 * Resizes NHWC images to [size, size] (or [h, w]) like torch.nn.functional.interpolate on NCHW, separably: two
 * products with the per-axis matrices. Differentiable, and on wasm both products take the fast matMul path. With a
 * `cache`, the matrices are built on the host once per (mode, size) and kept as tensors (VAR's quantizer resizes at
 * every scale of every call).
 */
export function resize(x: tf.Tensor4D, size: number | readonly [number, number], mode: ResizeMode, cache?: TensorCache): tf.Tensor4D {
  const [outH, outW] = typeof size === 'number' ? [size, size] : size;
  const [b, h, w, c] = x.shape;
  if (outH === h && outW === w) return tf.clone(x);
  return tf.tidy(() => {
    const rows = matrixTensor(mode, h, outH, cache);
    const cols = matrixTensor(mode, w, outW, cache);
    // Rows: [outH, h] · [h, b·w·c] after moving h to the front.
    const hFirst = tf.reshape(tf.transpose(x, [1, 0, 2, 3]), [h, b * w * c]);
    const resizedRows = tf.reshape(tf.matMul(rows, hFirst), [outH, b, w, c]);
    // Columns: [outW, w] · [w, outH·b·c].
    const wFirst = tf.reshape(tf.transpose(resizedRows, [2, 0, 1, 3]), [w, outH * b * c]);
    const resized = tf.reshape(tf.matMul(cols, wFirst), [outW, outH, b, c]);
    return tf.transpose(resized, [2, 1, 0, 3]) as tf.Tensor4D;
  });
}

/** Builds the matrices `resize` will use for these (input, output) side pairs, so that later calls allocate none. */
export function prepareResize(cache: TensorCache, mode: ResizeMode, pairs: ReadonlyArray<readonly [number, number]>): void {
  for (const [m, n] of pairs) if (m !== n) matrixTensor(mode, m, n, cache);
}
