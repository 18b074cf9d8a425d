import { tf } from '../tf.js';
import { InputError } from '../errors.js';

/**
 * A complex tensor as two real tensors of the same shape. The wasm backend has no complex64 storage (no Complex, FFT
 * or RFFT kernels), so nextx keeps real and imaginary parts apart; every op below is real arithmetic and has
 * gradients on every backend. Binary ops broadcast like tf's.
 */
// A type alias (not an interface) so that tf.tidy accepts it as a TensorContainer.
export type ComplexTensor = {
  readonly re: tf.Tensor;
  readonly im: tf.Tensor;
};

export function complexFromReal(re: tf.Tensor): ComplexTensor {
  return { re, im: tf.zerosLike(re) };
}

/** r·e^(iθ) = r·cos θ + i·r·sin θ. */
export function complexFromPolar(magnitude: tf.Tensor, phase: tf.Tensor): ComplexTensor {
  return tf.tidy(() => ({ re: tf.mul(magnitude, tf.cos(phase)), im: tf.mul(magnitude, tf.sin(phase)) }));
}

/** Throws an InputError unless re and im have one shape. */
export function checkComplex(z: ComplexTensor, what = 'complex tensor'): void {
  const { re, im } = z;
  if (re.shape.length !== im.shape.length || re.shape.some((d, i) => d !== im.shape[i])) {
    throw new InputError(`${what}: re has shape [${re.shape.join(', ')}] but im has [${im.shape.join(', ')}]`);
  }
}

/** |z| = sqrt(re² + im²). Its gradient at z = 0 is NaN, as tf.sqrt's is at 0 (torch's abs gives 0 there). */
export function complexAbs(z: ComplexTensor): tf.Tensor {
  return tf.tidy(() => tf.sqrt(complexAbsSquared(z)));
}

/** |z|² = re² + im² (smooth everywhere). */
export function complexAbsSquared(z: ComplexTensor): tf.Tensor {
  return tf.tidy(() => tf.add(tf.square(z.re), tf.square(z.im)));
}

export function complexAdd(x: ComplexTensor, y: ComplexTensor): ComplexTensor {
  return tf.tidy(() => ({ re: tf.add(x.re, y.re), im: tf.add(x.im, y.im) }));
}

export function complexSub(x: ComplexTensor, y: ComplexTensor): ComplexTensor {
  return tf.tidy(() => ({ re: tf.sub(x.re, y.re), im: tf.sub(x.im, y.im) }));
}

/** The complex conjugate re − i·im. */
export function complexConj(z: ComplexTensor): ComplexTensor {
  return tf.tidy(() => ({ re: tf.clone(z.re), im: tf.neg(z.im) }));
}

/** (a + ib)(c + id) = (ac − bd) + i(ad + bc), elementwise with broadcasting. */
export function complexMul(x: ComplexTensor, y: ComplexTensor): ComplexTensor {
  return tf.tidy(() => {
    const re = tf.sub(tf.mul(x.re, y.re), tf.mul(x.im, y.im));
    const im = tf.add(tf.mul(x.re, y.im), tf.mul(x.im, y.re));
    return { re, im };
  });
}

/** z·s for a real scale (a number or a real tensor that broadcasts) or a complex one. */
export function complexScale(z: ComplexTensor, scale: number | tf.Tensor | ComplexTensor): ComplexTensor {
  if (typeof scale === 'object' && 're' in scale) return complexMul(z, scale);
  return tf.tidy(() => ({ re: tf.mul(z.re, scale), im: tf.mul(z.im, scale) }));
}

/** x / y = x·conj(y) / |y|²; division by 0 gives what tf.div gives (±Infinity or NaN). */
export function complexDiv(x: ComplexTensor, y: ComplexTensor): ComplexTensor {
  return tf.tidy(() => {
    const denominator = complexAbsSquared(y);
    const re = tf.add(tf.mul(x.re, y.re), tf.mul(x.im, y.im));
    const im = tf.sub(tf.mul(x.im, y.re), tf.mul(x.re, y.im));
    return { re: tf.div(re, denominator), im: tf.div(im, denominator) };
  });
}

export function disposeComplex(z: ComplexTensor): void {
  tf.dispose([z.re, z.im]);
}
