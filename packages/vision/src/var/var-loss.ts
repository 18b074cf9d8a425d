import { sparseCrossEntropy, tf } from '@nextx/core';
import type { VarModelPair } from './generate.js';

/** A teacher-forcing batch: class labels [B] and each scale's token ids [B, pn²]. */
export interface VarBatch {
  readonly labels: tf.Tensor1D;
  readonly indices: readonly tf.Tensor2D[];
}

/**
 * VAR's training loss: the transformer reads the quantizer's teacher-forcing input (f̂ down-sampled to each next scale)
 * and predicts every scale's tokens; cross-entropy averaged over all L positions and the batch.
 */
export function varCrossEntropy(models: VarModelPair, batch: VarBatch): tf.Scalar {
  return tf.tidy(() => {
    const x = models.vqvae.quantize.indicesToVarInput(batch.indices);
    const logits = models.transformer.forward(batch.labels, x);
    return sparseCrossEntropy(logits, tf.concat(batch.indices as tf.Tensor2D[], 1)) as tf.Scalar;
  });
}
