import { centeredFft2, centeredIfft2, type ComplexTensor } from '@nextx/core';
import { checkComplexTensor } from './complex-array.js';

/**
 * Image → centred k-space over the last two axes, fastMRI's `fft2c`: fftshift(fft2(ifftshift(x), norm='ortho')).
 * x is complex [..., H, W] (e.g. [coils, H, W]); a real tensor is an InputError.
 */
export function imageToKspace(image: ComplexTensor): ComplexTensor {
  checkComplexTensor(image, 'image');
  return centeredFft2(image);
}

/** Centred k-space → image over the last two axes, fastMRI's `ifft2c`. */
export function kspaceToImage(kspace: ComplexTensor): ComplexTensor {
  checkComplexTensor(kspace, 'k-space');
  return centeredIfft2(kspace);
}
