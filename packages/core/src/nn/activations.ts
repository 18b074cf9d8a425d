import { tf } from '../tf.js';

/** GELU, exact (PyTorch `F.gelu(x)`, approximate='none'): 0.5·x·(1 + erf(x/√2)). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * GELU, tanh approximation (PyTorch approximate='tanh'): 0.5·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³), computed
 * as x·σ(2u) (the same function: 1 + tanh(u) = 2σ(2u)) with x³ as x·x·x. On wasm, Pow and Tanh are scalar loops
 * while Multiply and Sigmoid run on XNNPACK: 5.2 and 5.4 ms against 0.7 and 0.9 ms for 317 K values.
 */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const cube = tf.mul(tf.mul(x, x), x);
    const twiceInner = tf.mul(tf.add(x, tf.mul(cube, 0.044715)), 2 * SQRT_2_OVER_PI);
    return tf.mul(x, tf.sigmoid(twiceInner));
  });
}

/** SiLU / swish: x·σ(x). */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

/** SwiGLU gate (Shazeer 2020, as LLaMA): SiLU(gate) ⊙ up. */
export function swiglu(gate: tf.Tensor, up: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(silu(gate), up));
}

export type GeluFlavour = 'exact' | 'tanh';

export function geluOf(flavour: GeluFlavour): (x: tf.Tensor) => tf.Tensor {
  return flavour === 'exact' ? gelu : geluTanh;
}
