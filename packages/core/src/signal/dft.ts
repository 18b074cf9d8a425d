import { tf } from '../tf.js';
import type { ComplexTensor } from './complex-tensor.js';
import { fft, fft2, ifft, ifft2, type FftNorm } from './fft.js';

/**
 * nextx 0.1's DFT entry points, kept for compatibility and now computed by the O(n log n) FFT (fft.ts); 0.1 ran a
 * dense O(n²) matrix product rebuilt on the host at every call.
 */
export function dft(x: ComplexTensor, options: { axis?: number; inverse?: boolean; norm?: FftNorm } = {}): ComplexTensor {
  const { inverse, ...rest } = options;
  return inverse ? ifft(x, rest) : fft(x, rest);
}

/** Inverse DFT along one axis (torch.fft.ifft); the same as `ifft`. */
export function idft(x: ComplexTensor, options: { axis?: number; norm?: FftNorm } = {}): ComplexTensor {
  return ifft(x, options);
}

/** 2-D DFT over the last two axes (torch.fft.fft2 / ifft2); the same as `fft2` / `ifft2`. */
export function dft2(x: ComplexTensor, options: { inverse?: boolean; norm?: FftNorm } = {}): ComplexTensor {
  const { inverse, ...rest } = options;
  return tf.tidy(() => (inverse ? ifft2(x, rest) : fft2(x, rest)));
}
