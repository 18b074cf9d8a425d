import { tf } from '../tf.js';
import { Rng } from '../rng/rng.js';
import { Module } from './module.js';
import { normalInit } from './init.js';

export interface EmbeddingOptions {
  readonly rng?: Rng;
  /** Standard deviation of the N(0, std²) initialisation (torch's default is 1). */
  readonly initStd?: number;
}

/** torch.nn.Embedding: `weight` [num, dim]; ids of any shape [...] → [..., dim]. */
export class Embedding extends Module {
  readonly weight: tf.Variable;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: EmbeddingOptions = {},
  ) {
    super();
    const rng = options.rng ?? Rng.seeded(0);
    this.weight = this.addParameter('weight', normalInit([numEmbeddings, embeddingDim], rng, options.initStd ?? 1));
  }

  forward(ids: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const flat = tf.reshape(ids.dtype === 'int32' ? ids : tf.cast(ids, 'int32'), [-1]);
      const rows = tf.gather(this.weight, flat, 0);
      return tf.reshape(rows, [...ids.shape, this.embeddingDim]);
    });
  }
}
