import { tf, complexAbsSquared, type ComplexTensor } from '@nextx/core';
import { checkComplexTensor } from './complex-array.js';

/** Root-sum-of-squares coil combination (fastMRI `rss_complex`): sqrt(Σ_c |x_c|²) over `coilAxis` (default 0). */
export function rss(coilImages: ComplexTensor, coilAxis = 0): tf.Tensor {
  checkComplexTensor(coilImages, 'coil images', 1);
  return tf.tidy(() => tf.sqrt(tf.sum(complexAbsSquared(coilImages), coilAxis)));
}
