import { tf } from '../tf.js';
import { moveAxis, normaliseAxis } from './axes.js';
import type { ComplexTensor } from './complex-tensor.js';
import type { FftNorm } from './fft.js';
import { cachedFftTensor } from './fft-cache.js';
import { dftBlock } from './tensor-fft.js';

/**
 * The O(n²) DFT along one axis as one real matrix product [rows, 2n] × [2n, 2n] (nextx 0.1's `dft`). Kept as the
 * baseline of bench/fft.ts: `cacheMatrix: false` rebuilds the matrix on the host at every call, as 0.1 did.
 */
export function denseDft(
  x: ComplexTensor,
  options: { axis?: number; inverse?: boolean; norm?: FftNorm; cacheMatrix?: boolean } = {},
): ComplexTensor {
  const rank = x.re.rank;
  const axis = normaliseAxis(options.axis ?? -1, rank);
  const n = x.re.shape[axis] as number;
  const inverse = options.inverse ?? false;
  const sign = inverse ? 1 : -1;
  const norm = options.norm ?? 'backward';
  const scale = norm === 'ortho' ? 1 / Math.sqrt(n) : (norm === 'forward') !== inverse ? 1 / n : 1;
  return tf.tidy(() => {
    const block = options.cacheMatrix === false ? dftBlock(n, sign) : cachedFftTensor(`dft|${n}|${sign}`, () => dftBlock(n, sign));
    const toLast = moveAxis(rank, axis, rank - 1);
    const re = toLast ? tf.transpose(x.re, toLast) : x.re;
    const im = toLast ? tf.transpose(x.im, toLast) : x.im;
    const rows = re.size / n;
    const product = tf.matMul(tf.concat([tf.reshape(re, [rows, n]), tf.reshape(im, [rows, n])], 1), block);
    const scaled = scale === 1 ? product : tf.mul(product, scale);
    const [outRe, outIm] = tf.split(scaled, 2, 1) as [tf.Tensor, tf.Tensor];
    const back = toLast ? moveAxis(rank, rank - 1, axis) : undefined;
    const shape = re.shape;
    const restore = (t: tf.Tensor) => (back ? tf.transpose(tf.reshape(t, shape), back) : tf.reshape(t, shape));
    return { re: restore(outRe), im: restore(outIm) };
  });
}
