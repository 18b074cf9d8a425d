import { z } from 'zod';
import { tf, parseConfig, type ComplexTensor } from '@nextx/core';
import type { SenseOperator } from '../kspace/sense.js';
import { axpy, realInner, replaced } from './complex-vector.js';

export const cgSenseSchema = z.object({
  iterations: z.number().int().min(1).default(20),
  /** Tikhonov weight λ of ‖x‖², relative to the largest |A^H y|. */
  lambda: z.number().nonnegative().default(0.001),
  /** Stop when the residual norm falls below this fraction of the first. */
  tolerance: z.number().nonnegative().default(1e-4),
});
export type CgSenseOptions = z.input<typeof cgSenseSchema>;

/**
 * CG-SENSE (Pruessmann et al. 2001): conjugate gradients on the normal equations (A^H A + λI) x = A^H y of the SENSE
 * model A = M·F·S, started from 0. `measured` is the zero-filled multi-coil k-space [C, H, W]; returns x [H, W].
 */
export function cgSense(sense: SenseOperator, measured: ComplexTensor, options: CgSenseOptions = {}): ComplexTensor {
  const o = parseConfig(cgSenseSchema, options, 'CG-SENSE options');
  const rhs = sense.adjoint(measured);
  const scale = tf.tidy(() => tf.max(tf.sqrt(tf.add(tf.square(rhs.re), tf.square(rhs.im)))).dataSync()[0] as number);
  const lambda = o.lambda * scale;
  const apply = (x: ComplexTensor) => tf.tidy(() => axpy(sense.normal(x), lambda, x));
  let x: ComplexTensor = { re: tf.zerosLike(rhs.re), im: tf.zerosLike(rhs.im) };
  let r: ComplexTensor = rhs;
  let p: ComplexTensor = { re: tf.clone(rhs.re), im: tf.clone(rhs.im) };
  let rr = realInner(r, r);
  const first = rr;
  for (let it = 0; it < o.iterations && rr > o.tolerance ** 2 * first; it++) {
    const ap = apply(p);
    const alpha = rr / realInner(p, ap);
    x = replaced(x, axpy(x, alpha, p));
    r = replaced(r, axpy(r, -alpha, ap));
    tf.dispose([ap.re, ap.im]);
    const next = realInner(r, r);
    p = replaced(p, axpy(r, next / rr, p));
    rr = next;
  }
  tf.dispose([r.re, r.im, p.re, p.im]);
  return x;
}
