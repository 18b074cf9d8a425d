import { tf } from '../tf.js';
import { InputError } from '../errors.js';
import type { ComplexTensor } from './complex-tensor.js';

export type FftNorm = 'backward' | 'ortho' | 'forward';

/**
 * The n-point DFT matrix W[j, k] = exp(∓2πi·jk/n) as [n, n] cos and sin parts, built in float64 on the host (jk mod n
 * keeps the angles exact for large n) and scaled as numpy/torch `norm`: 'backward' scales only the inverse by 1/n,
 * 'ortho' both by 1/√n, 'forward' only the forward.
 */
function dftMatrices(n: number, inverse: boolean, norm: FftNorm): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  const scale = norm === 'ortho' ? 1 / Math.sqrt(n) : (norm === 'forward') !== inverse ? 1 / n : 1;
  const sign = inverse ? 1 : -1;
  const cos = new Float32Array(n * n);
  const sin = new Float32Array(n * n);
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < n; k++) {
      const angle = (2 * Math.PI * ((j * k) % n)) / n;
      cos[j * n + k] = Math.cos(angle) * scale;
      sin[j * n + k] = sign * Math.sin(angle) * scale;
    }
  }
  return { cos: tf.tensor2d(cos, [n, n]), sin: tf.tensor2d(sin, [n, n]) };
}

/**
 * DFT along one axis as two real matrix products per part: (xr + i·xi)(C + i·S) = (xr·C − xi·S) + i(xr·S + xi·C).
 * O(n²) per transform but on the fast matMul path (and differentiable), which for the sizes of MRI slices and
 * SpaceTime's sequence lengths (n ≤ a few hundred) beats an FFT written in JS ops.
 */
export function dft(x: ComplexTensor, options: { axis?: number; inverse?: boolean; norm?: FftNorm } = {}): ComplexTensor {
  const rank = x.re.rank;
  const axis = normaliseAxis(options.axis ?? -1, rank);
  const n = x.re.shape[axis] as number;
  return tf.tidy(() => {
    const { cos, sin } = dftMatrices(n, options.inverse ?? false, options.norm ?? 'backward');
    const toLast = moveAxis(rank, axis, rank - 1);
    const re = toLast ? tf.transpose(x.re, toLast) : x.re;
    const im = toLast ? tf.transpose(x.im, toLast) : x.im;
    const rows = re.size / n;
    const re2 = tf.reshape(re, [rows, n]);
    const im2 = tf.reshape(im, [rows, n]);
    const outRe = tf.reshape(tf.sub(tf.matMul(re2, cos), tf.matMul(im2, sin)), re.shape);
    const outIm = tf.reshape(tf.add(tf.matMul(re2, sin), tf.matMul(im2, cos)), re.shape);
    const back = toLast ? moveAxis(rank, rank - 1, axis) : undefined;
    return { re: back ? tf.transpose(outRe, back) : outRe, im: back ? tf.transpose(outIm, back) : outIm };
  });
}

/** Inverse DFT along one axis (torch.fft.ifft). */
export function idft(x: ComplexTensor, options: { axis?: number; norm?: FftNorm } = {}): ComplexTensor {
  return dft(x, { ...options, inverse: true });
}

/** 2-D DFT over the last two axes (torch.fft.fft2 / ifft2): the k-space of an image and back. */
export function dft2(x: ComplexTensor, options: { inverse?: boolean; norm?: FftNorm } = {}): ComplexTensor {
  return tf.tidy(() => {
    const rows = dft(x, { ...options, axis: -1 });
    return dft(rows, { ...options, axis: -2 });
  });
}

/**
 * Rolls the zero frequency to the centre along the given axes (numpy/torch fftshift: shift by ⌊n/2⌋), or back with
 * `inverse` (ifftshift: shift by −⌊n/2⌋, which differs for odd n).
 */
export function fftShift(x: tf.Tensor, axes: readonly number[] = [-2, -1], inverse = false): tf.Tensor {
  return tf.tidy(() => {
    let out = x;
    for (const a of axes) {
      const axis = normaliseAxis(a, x.rank);
      const n = x.shape[axis] as number;
      const shift = inverse ? n - Math.floor(n / 2) : Math.floor(n / 2);
      const cut = (n - shift) % n;
      if (cut === 0) continue;
      const sizes = [cut, n - cut];
      const [head, tail] = tf.split(out, sizes, axis) as [tf.Tensor, tf.Tensor];
      out = tf.concat([tail, head], axis);
    }
    return out === x ? tf.clone(x) : out;
  });
}

function normaliseAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new InputError(`axis ${axis} is out of range for a rank-${rank} tensor`);
  return a;
}

/** The permutation that moves `from` to position `to` (undefined when nothing moves). */
function moveAxis(rank: number, from: number, to: number): number[] | undefined {
  if (from === to) return undefined;
  const order = Array.from({ length: rank }, (_, i) => i).filter((i) => i !== from);
  order.splice(to, 0, from);
  return order;
}
