import { tf, complexFromReal, complexMul, dft, idft, type ComplexTensor } from '@nextx/core';

/**
 * The spectral operations SpaceTime needs, in one place so that they follow core's signal module: a real FFT with
 * torch's `n=` semantics (zero-pad or crop to n, keep bins 0…⌊n/2⌋), its inverse, and the causal FFT convolution.
 * They run on core's transforms; nothing here is an FFT of its own.
 */
export function rfft(x: tf.Tensor, n: number): ComplexTensor {
  return tf.tidy(() => {
    const spectrum = dft(complexFromReal(fitLength(x, n)));
    const bins = Math.floor(n / 2) + 1;
    const keep = (t: tf.Tensor) => tf.slice(t, new Array(t.rank).fill(0), [...t.shape.slice(0, -1), bins]);
    return { re: keep(spectrum.re), im: keep(spectrum.im) };
  });
}

/**
 * torch.fft.irfft(z, n): the real signal of length n whose half spectrum is z (bins 0…⌊n/2⌋); the imaginary parts of
 * bin 0 and, for even n, bin n/2 are ignored, as torch does.
 */
export function irfft(z: ComplexTensor, n: number): tf.Tensor {
  return tf.tidy(() => {
    const bins = Math.floor(n / 2) + 1;
    const lead = z.re.shape.slice(0, -1);
    const have = z.re.shape[z.re.rank - 1] as number;
    const take = (t: tf.Tensor, from: number, count: number) => tf.slice(t, [...lead.map(() => 0), from], [...lead, count]);
    const pad = (t: tf.Tensor) => (have >= bins ? take(t, 0, bins) : tf.pad(t, [...lead.map((): [number, number] => [0, 0]), [0, bins - have]]));
    const re = pad(z.re);
    const imRaw = pad(z.im);
    // Zero the imaginary part of the DC (and Nyquist) bin, then mirror: X[n − k] = conj(X[k]).
    const keepIm = tf.tensor1d(Array.from({ length: bins }, (_, k) => (k === 0 || (n % 2 === 0 && k === n / 2) ? 0 : 1)));
    const im = tf.mul(imRaw, keepIm);
    const mirrored = n - bins; // bins n−1 … bins correspond to k = 1 … n − bins
    const tailRe = mirrored > 0 ? tf.reverse(take(re, 1, mirrored), -1) : undefined;
    const tailIm = mirrored > 0 ? tf.neg(tf.reverse(take(im, 1, mirrored), -1)) : undefined;
    const full: ComplexTensor = tailRe && tailIm ? { re: tf.concat([re, tailRe], -1), im: tf.concat([im, tailIm], -1) } : { re, im };
    return idft(full).re;
  });
}

/**
 * SpaceTime's `fft_conv`: y[..., t] = Σ_{i≤t} k[..., t − i]·u[..., i] for t < L (zero initial state), as
 * irfft(rfft(u, 2L)·rfft(k[..., :L], 2L), 2L)[..., :L]. `k` broadcasts against `u` (a kernel per channel).
 */
export function causalConv(u: tf.Tensor, k: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const length = u.shape[u.rank - 1] as number;
    const n = 2 * length;
    const y = irfft(complexMul(rfft(u, n), rfft(fitLength(k, length), n)), n);
    return tf.slice(y, new Array(y.rank).fill(0), [...y.shape.slice(0, -1), length]);
  });
}

/** Zero-pads or crops the last axis to n. */
export function fitLength(x: tf.Tensor, n: number): tf.Tensor {
  const have = x.shape[x.rank - 1] as number;
  if (have === n) return x;
  if (have > n) return tf.slice(x, new Array(x.rank).fill(0), [...x.shape.slice(0, -1), n]);
  return tf.pad(x, [...x.shape.slice(0, -1).map((): [number, number] => [0, 0]), [0, n - have]]);
}
