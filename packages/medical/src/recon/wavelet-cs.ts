import { z } from 'zod';
import { tf, parseConfig, type ComplexTensor, type Rng } from '@nextx/core';
import type { SenseOperator } from '../kspace/sense.js';
import { axpy, replaced } from './complex-vector.js';
import { haarForward, haarInverse, haarLevels, roll2d, type HaarLevel } from './haar-wavelet.js';

export const waveletCsSchema = z.object({
  iterations: z.number().int().min(1).default(60),
  /** Weight λ of ‖Ψx‖₁, relative to the largest |A^H y| (BART's `pics -l1 -r` is relative to its own data scaling). */
  lambda: z.number().nonnegative().default(0.002),
  /** Haar levels (fewer when the sides do not halve evenly). */
  levels: z.number().int().min(1).max(8).default(4),
  /** Random circular shifts of the wavelet grid per iteration (cycle spinning, as BART does), against blocking. */
  randomShift: z.boolean().default(true),
});
export type WaveletCsOptions = z.input<typeof waveletCsSchema>;

/** Complex soft threshold: z·max(0, 1 − t/|z|). */
function shrink(re: tf.Tensor, im: tf.Tensor, t: number): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const mag = tf.sqrt(tf.add(tf.add(tf.square(re), tf.square(im)), 1e-30));
    const factor = tf.relu(tf.sub(1, tf.div(t, mag)));
    return [tf.mul(re, factor), tf.mul(im, factor)];
  });
}

/** prox of t·‖Ψx‖₁ for the orthonormal Haar Ψ: shrink every detail band, keep the coarsest low band. */
function waveletShrink(x: ComplexTensor, t: number, levels: number): ComplexTensor {
  return tf.tidy(() => {
    const stack: { re: HaarLevel; im: HaarLevel }[] = [];
    let re = x.re as tf.Tensor2D;
    let im = x.im as tf.Tensor2D;
    for (let l = 0; l < levels; l++) {
      const level = { re: haarForward(re), im: haarForward(im) };
      stack.push(level);
      re = level.re.low;
      im = level.im.low;
    }
    for (let l = levels - 1; l >= 0; l--) {
      const { re: lr, im: li } = stack[l] as { re: HaarLevel; im: HaarLevel };
      const shrunk = lr.details.map((d, k) => shrink(d, li.details[k] as tf.Tensor2D, t));
      const detailsRe = shrunk.map(([r]) => r as tf.Tensor2D) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const detailsIm = shrunk.map(([, i]) => i as tf.Tensor2D) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      re = haarInverse({ low: re, details: detailsRe });
      im = haarInverse({ low: im, details: detailsIm });
    }
    return { re, im };
  });
}

/**
 * ℓ1-wavelet compressed sensing with SENSE (Lustig et al. 2007), solved by FISTA (Beck & Teboulle 2009):
 * min_x ½‖A x − y‖² + λ‖Ψx‖₁ with step 1 (‖A‖ ≤ 1 for maps with Σ|S|² ≤ 1 and a 0/1 mask), Ψ the orthonormal Haar
 * transform, randomly shifted every iteration when `randomShift`. Returns x [H, W].
 */
export function waveletCs(sense: SenseOperator, measured: ComplexTensor, rng: Rng, options: WaveletCsOptions = {}): ComplexTensor {
  const o = parseConfig(waveletCsSchema, options, 'wavelet CS options');
  const levels = haarLevels(sense.height, sense.width, o.levels);
  const aty = sense.adjoint(measured);
  const scale = tf.tidy(() => tf.max(tf.sqrt(tf.add(tf.square(aty.re), tf.square(aty.im)))).dataSync()[0] as number);
  const threshold = o.lambda * scale;
  let x: ComplexTensor = { re: tf.clone(aty.re), im: tf.clone(aty.im) };
  let z: ComplexTensor = { re: tf.clone(aty.re), im: tf.clone(aty.im) };
  let t = 1;
  for (let it = 0; it < o.iterations; it++) {
    const [dy, dx] = o.randomShift ? [rng.int(0, 2 ** levels - 1), rng.int(0, 2 ** levels - 1)] : [0, 0];
    const next = tf.tidy(() => {
      // gradient step z − A^H(A z − y) = z − A^H A z + A^H y
      const g = axpy(axpy(z, -1, sense.normal(z)), 1, aty);
      const shifted = { re: roll2d(g.re, dy, dx), im: roll2d(g.im, dy, dx) };
      const p = levels > 0 ? waveletShrink(shifted, threshold, levels) : shifted;
      return { re: roll2d(p.re, -dy, -dx), im: roll2d(p.im, -dy, -dx) };
    });
    const tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    const momentum = (t - 1) / tNext;
    z = replaced(z, tf.tidy(() => axpy(next, momentum, axpy(next, -1, x))));
    x = replaced(x, next);
    t = tNext;
  }
  tf.dispose([z.re, z.im, aty.re, aty.im]);
  return x;
}
