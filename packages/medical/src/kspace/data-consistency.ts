import { z } from 'zod';
import { tf, InputError, parseConfig, type ComplexTensor } from '@nextx/core';
import { checkComplexTensor } from './complex-array.js';
import { checkMask, maskTensor, type CartesianMask } from './cartesian-mask.js';

export const dataConsistencySchema = z.discriminatedUnion('mode', [
  /** Measured lines replace the prediction's: k = M ? y : k̂. */
  z.object({ mode: z.literal('replace') }),
  /**
   * Noise-weighted (Schlemper et al. 2018, eq. 7): on measured lines k = (k̂ + λ·y) / (1 + λ), elsewhere k̂; λ → ∞ is
   * `replace`, λ = 0 keeps the prediction. λ is the inverse of the noise level relative to the prior.
   */
  z.object({ mode: z.literal('soft'), lambda: z.number().nonnegative() }),
]);
export type DataConsistency = z.input<typeof dataConsistencySchema>;

/**
 * Data consistency in k-space: predicted and measured k-space of one shape [..., H, W] (complex), the mask over W.
 * Shapes, complexness and an empty mask are checked first (InputError naming what is wrong).
 */
export function applyDataConsistency(
  predicted: ComplexTensor,
  measured: ComplexTensor,
  mask: CartesianMask,
  options: DataConsistency = { mode: 'replace' },
): ComplexTensor {
  const dc = parseConfig(dataConsistencySchema, options, 'data consistency');
  checkComplexTensor(predicted, 'predicted k-space');
  checkComplexTensor(measured, 'measured k-space');
  if (predicted.re.shape.some((d, i) => d !== measured.re.shape[i]) || predicted.re.rank !== measured.re.rank) {
    throw new InputError(`data consistency: predicted k-space [${predicted.re.shape.join(', ')}] and measured k-space [${measured.re.shape.join(', ')}] differ in shape`);
  }
  checkMask(mask, predicted.re.shape[predicted.re.rank - 1] as number);
  return tf.tidy(() => {
    const m = tf.broadcastTo(maskTensor(mask, predicted.re.rank), predicted.re.shape);
    if (dc.mode === 'replace') return { re: tf.where(m, measured.re, predicted.re), im: tf.where(m, measured.im, predicted.im) };
    const l = dc.lambda;
    const blend = (p: tf.Tensor, y: tf.Tensor) => tf.div(tf.add(p, tf.mul(y, l)), 1 + l);
    return { re: tf.where(m, blend(predicted.re, measured.re), predicted.re), im: tf.where(m, blend(predicted.im, measured.im), predicted.im) };
  });
}

/** Zeroes the unmeasured columns: what the scanner gives, M ⊙ k. */
export function undersample(kspace: ComplexTensor, mask: CartesianMask): ComplexTensor {
  checkComplexTensor(kspace, 'k-space');
  checkMask(mask, kspace.re.shape[kspace.re.rank - 1] as number);
  return tf.tidy(() => {
    const m = tf.broadcastTo(maskTensor(mask, kspace.re.rank), kspace.re.shape);
    const zero = tf.zerosLike(kspace.re);
    return { re: tf.where(m, kspace.re, zero), im: tf.where(m, kspace.im, zero) };
  });
}
