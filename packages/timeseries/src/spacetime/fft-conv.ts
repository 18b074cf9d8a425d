import { tf, fftConv } from '@nextx/core';

/** Zero-pads or crops the last axis to n. */
export function fitLength(x: tf.Tensor, n: number): tf.Tensor {
  const have = x.shape[x.rank - 1] as number;
  if (have === n) return x;
  if (have > n) return tf.slice(x, new Array(x.rank).fill(0), [...x.shape.slice(0, -1), n]);
  return tf.pad(x, [...x.shape.slice(0, -1).map((): [number, number] => [0, 0]), [0, n - have]]);
}

/**
 * SpaceTime's `fft_conv` (spec 4): y[..., t] = Σ_{i≤t} k[..., t − i]·u[..., i] for t < L (zero initial state), only the
 * first L kernel taps used, computed as irfft(rfft(u, 2L)·rfft(k[..., :L], 2L), 2L)[..., :L] with core's real FFT
 * (`fftConv`). `k` broadcasts against `u` (a kernel per channel).
 */
export function causalConv(u: tf.Tensor, k: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const length = u.shape[u.rank - 1] as number;
    return fftConv(u, fitLength(k, length), { n: 2 * length });
  });
}
