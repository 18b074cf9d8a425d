import { tf } from '../tf.js';
import type { ComplexTensor } from './complex-tensor.js';
import { fft2, ifft2, type FftnOptions } from './fft.js';
import { fftShift } from './fft-shift.js';

function shifted(x: ComplexTensor, axes: readonly number[], inverse: boolean): ComplexTensor {
  return { re: fftShift(x.re, axes, inverse), im: fftShift(x.im, axes, inverse) };
}

function centered(x: ComplexTensor, options: FftnOptions, inverse: boolean): ComplexTensor {
  const axes = options.axes ?? [-2, -1];
  return tf.tidy(() => {
    const transform = inverse ? ifft2 : fft2;
    return shifted(transform(shifted(x, axes, true), { norm: 'ortho', ...options, axes }), axes, false);
  });
}

/**
 * fastMRI's `fft2c`: fftshift(fft2(ifftshift(x), norm='ortho')) over the last two axes, image → centred k-space,
 * for [..., H, W] (e.g. [coils, H, W]).
 */
export function centeredFft2(x: ComplexTensor, options: FftnOptions = {}): ComplexTensor {
  return centered(x, options, false);
}

/** fastMRI's `ifft2c`: fftshift(ifft2(ifftshift(k), norm='ortho')), centred k-space → image. */
export function centeredIfft2(x: ComplexTensor, options: FftnOptions = {}): ComplexTensor {
  return centered(x, options, true);
}
