import { tf } from '../tf.js';
import { InputError } from '../errors.js';
import { complexMul } from './complex-tensor.js';
import type { FftEngine } from './fft-options.js';
import { irfft, rfft } from './real-fft.js';

export interface FftConvOptions {
  /**
   * FFT length, at least L_u + L_k − 1 so that the circular convolution is the linear one on the kept outputs
   * (SpaceTime uses 2L for L_u = L_k = L). Default: the smallest 2·3·5-smooth length that is enough.
   */
  readonly n?: number;
  readonly engine?: FftEngine;
}

/** The smallest n' ≥ n with no prime factor above 5 (the host FFT's fastest lengths). */
export function nextSmoothLength(n: number): number {
  for (let m = Math.max(1, n); ; m++) {
    let rest = m;
    for (const p of [2, 3, 5]) while (rest % p === 0) rest /= p;
    if (rest === 1) return m;
  }
}

/**
 * Causal linear convolution along the last axis, y[t] = Σ_(s ≤ t) k[s]·u[t − s] for t < L_u, by FFT:
 * irfft(rfft(u, n) · rfft(k, n), n)[..., :L_u], SpaceTime's `fft_conv`. Leading axes broadcast (a kernel per channel
 * [C, L] against a batch [B, C, L]). Differentiable in u and k.
 */
export function fftConv(u: tf.Tensor, k: tf.Tensor, options: FftConvOptions = {}): tf.Tensor {
  const lengthU = u.shape[u.rank - 1];
  const lengthK = k.shape[k.rank - 1];
  if (lengthU === undefined || lengthK === undefined) throw new InputError('fftConv: u and k need at least one axis');
  const needed = lengthU + lengthK - 1;
  const n = options.n ?? nextSmoothLength(needed);
  if (!Number.isInteger(n) || n < needed) {
    throw new InputError(`fftConv: n = ${n} is too short for a linear convolution of lengths ${lengthU} and ${lengthK} (needs ≥ ${needed})`);
  }
  return tf.tidy(() => {
    const spectrum = complexMul(rfft(u, { n, engine: options.engine }), rfft(k, { n, engine: options.engine }));
    return irfft(spectrum, { n, keep: lengthU, engine: options.engine });
  });
}
