import { tf, type ComplexTensor } from '@nextx/core';
import { checkComplexTensor } from '../kspace/complex-array.js';
import { rss } from '../kspace/rss.js';
import { kspaceToImage } from '../kspace/transforms.js';

/** fastMRI's zero-filled baseline: the RSS of the inverse FFT of the measured (zero-filled) coil k-space [C, H, W] → [H, W]. */
export function zeroFilledRss(measured: ComplexTensor): tf.Tensor2D {
  checkComplexTensor(measured, 'measured k-space', 3);
  return tf.tidy(() => rss(kspaceToImage(measured)) as tf.Tensor2D);
}
