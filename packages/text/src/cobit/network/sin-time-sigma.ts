import { Module, tf } from '@nextx/core';

/**
 * The σ embedding (official `_SinTimeSigma`, spec 6.4): φ = ln(σ)·f with f[2j] = f[2j+1] = 10000^(−2j/E), then
 * cos at even channels and sin at odd ones (interleaved, not concatenated). f is the persistent buffer `_freq` [1, E].
 */
export class SinTimeSigma extends Module {
  readonly freq: tf.Variable;
  /** 1 at even channels (cos), 0 at odd ones (sin). */
  private readonly even: Float32Array;

  constructor(readonly dim: number) {
    super();
    const table = new Float32Array(dim);
    for (let j = 0; 2 * j < dim; j++) {
      const f = Math.exp((-Math.log(10_000) * (2 * j)) / dim);
      table[2 * j] = f;
      if (2 * j + 1 < dim) table[2 * j + 1] = f;
    }
    this.freq = this.addBuffer('_freq', tf.tensor2d(table, [1, dim]));
    this.even = Float32Array.from({ length: dim }, (_, i) => (i % 2 === 0 ? 1 : 0));
  }

  /** σ [B] → [B, E]. */
  forward(sigma: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const phases = tf.mul(tf.reshape(tf.log(sigma), [-1, 1]), this.freq);
      const even = tf.tensor2d(this.even, [1, this.dim]);
      return tf.add(tf.mul(tf.cos(phases), even), tf.mul(tf.sin(phases), tf.sub(1, even)));
    });
  }
}
