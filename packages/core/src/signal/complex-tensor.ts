import { tf } from '../tf.js';

/**
 * A complex tensor as two real tensors of the same shape. The wasm backend has no complex64 storage (no Complex, FFT
 * or RFFT kernels), so nextx keeps real and imaginary parts apart; every op below is real arithmetic and has
 * gradients on every backend.
 */
// A type alias (not an interface) so that tf.tidy accepts it as a TensorContainer.
export type ComplexTensor = {
  readonly re: tf.Tensor;
  readonly im: tf.Tensor;
};

export function complexFromReal(re: tf.Tensor): ComplexTensor {
  return { re, im: tf.zerosLike(re) };
}

/** |z| = sqrt(re² + im²). */
export function complexAbs(z: ComplexTensor): tf.Tensor {
  return tf.tidy(() => tf.sqrt(tf.add(tf.square(z.re), tf.square(z.im))));
}

/** (a + ib)(c + id) = (ac − bd) + i(ad + bc), elementwise with broadcasting. */
export function complexMul(x: ComplexTensor, y: ComplexTensor): ComplexTensor {
  return tf.tidy(() => {
    const re = tf.sub(tf.mul(x.re, y.re), tf.mul(x.im, y.im));
    const im = tf.add(tf.mul(x.re, y.im), tf.mul(x.im, y.re));
    return { re, im };
  });
}

export function disposeComplex(z: ComplexTensor): void {
  tf.dispose([z.re, z.im]);
}
