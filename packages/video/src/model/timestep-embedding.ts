import { Linear, Module, Rng, silu, tf } from '@nextx/core';

/**
 * DiT's timestep embedder for flow levels t ∈ [0, 1]: sinusoidal features of 1000·t (`frequencyDim` of them, cos then
 * sin, periods from 1 to 10000), then Linear → SiLU → Linear. Works per token: levels [B, L] → [B, L, dim].
 */
export class TimestepEmbedding extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  private readonly frequencies: Float32Array;

  constructor(
    readonly dim: number,
    readonly frequencyDim = 128,
    rng: Rng = Rng.seeded(0),
  ) {
    super();
    const half = frequencyDim / 2;
    this.frequencies = Float32Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half));
    this.fc1 = this.addModule('fc1', new Linear(frequencyDim, dim, { rng: rng.fork() }));
    this.fc2 = this.addModule('fc2', new Linear(dim, dim, { rng: rng.fork() }));
  }

  forward(levels: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const args = tf.mul(tf.expandDims(tf.mul(levels, 1000), -1), tf.tensor1d(this.frequencies));
      const features = tf.concat([tf.cos(args), tf.sin(args)], -1);
      return this.fc2.forward(silu(this.fc1.forward(features)));
    });
  }
}
