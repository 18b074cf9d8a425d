import { tf, type ComplexTensor } from '@nextx/core';

/** Re⟨a, b⟩ = Σ re_a·re_b + im_a·im_b, on the host. */
export function realInner(a: ComplexTensor, b: ComplexTensor): number {
  return tf.tidy(() => tf.add(tf.sum(tf.mul(a.re, b.re)), tf.sum(tf.mul(a.im, b.im))).dataSync()[0] as number);
}

/** a + s·b for a real number s. */
export function axpy(a: ComplexTensor, s: number, b: ComplexTensor): ComplexTensor {
  return tf.tidy(() => ({ re: tf.add(a.re, tf.mul(b.re, s)), im: tf.add(a.im, tf.mul(b.im, s)) }));
}

/** Replaces `old` by `next`, disposing old's tensors: for the loop variables of iterative solvers. */
export function replaced(old: ComplexTensor, next: ComplexTensor): ComplexTensor {
  tf.dispose([old.re, old.im]);
  return next;
}

export function magnitudeOf(z: ComplexTensor): tf.Tensor {
  return tf.tidy(() => tf.sqrt(tf.add(tf.square(z.re), tf.square(z.im))));
}
