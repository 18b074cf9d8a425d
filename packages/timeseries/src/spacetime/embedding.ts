import { tf, Linear, Module, type Rng } from '@nextx/core';
import type { EmbeddingConfig } from './config.js';

/**
 * The input embedding (`model/embedding/*`, spec 7): 'repeat' tiles the D input channels to embedding_dim
 * (out[..., j] = u[..., j mod D]), 'linear' is nn.Linear(D, embedding_dim) named `layers`, 'identity' passes through.
 */
export class SpacetimeEmbedding extends Module {
  readonly linear: Linear | undefined;
  readonly outputDim: number;

  constructor(
    readonly config: EmbeddingConfig,
    rng: Rng,
  ) {
    super();
    const { input_dim, embedding_dim } = config.kwargs;
    this.outputDim = config.method === 'identity' ? input_dim : (embedding_dim ?? input_dim);
    this.linear = config.method === 'linear' ? this.addModule('layers', new Linear(input_dim, this.outputDim, { rng })) : undefined;
  }

  forward(u: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      if (this.linear) return this.linear.forward(u);
      if (this.config.method === 'identity') return tf.clone(u);
      const d = this.config.kwargs.input_dim;
      return tf.gather(u, tf.tensor1d(Array.from({ length: this.outputDim }, (_, j) => j % d), 'int32'), u.rank - 1);
    });
  }
}
