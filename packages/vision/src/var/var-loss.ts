import { tf } from '@nextx/core';
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
    const targets = tf.concat(batch.indices as tf.Tensor2D[], 1);
    const vocab = logits.shape[2];
    const flatLogits = tf.reshape(logits, [-1, vocab]);
    const logProbs = tf.sub(flatLogits, tf.logSumExp(flatLogits, 1, true));
    const picked = tf.sum(tf.mul(logProbs, tf.oneHot(tf.reshape(targets, [-1]), vocab)), 1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}
