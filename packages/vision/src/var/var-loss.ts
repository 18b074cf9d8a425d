import { sparseCrossEntropy, tf, type Rng } from '@nextx/core';
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

/**
 * Class dropout of the official `VAR.forward`: `where(rand(B) < cond_drop_rate, num_classes, label_B)` — each label
 * becomes the null class with probability `rate`, one uniform per label from the Rng. It is what teaches the null
 * class, and so what makes classifier-free guidance possible for the trained model.
 */
export function dropClassLabels(labels: tf.Tensor1D, nullClass: number, rate: number, rng: Rng): tf.Tensor1D {
  const dropped = Uint8Array.from({ length: labels.shape[0] }, () => (rng.uniform() < rate ? 1 : 0));
  return tf.tidy(() => tf.where(tf.tensor1d(dropped, 'bool'), tf.fill(labels.shape, nullClass, 'int32'), labels) as tf.Tensor1D);
}

/**
 * The training loss of VAR: cross-entropy with class dropout (`dropClassLabels`). The official code also drops labels
 * in evaluation (`VARTrainer.eval_ep` calls the same forward), so its validation losses mix in 10 % unconditional
 * ones; here evaluation is `varCrossEntropy`, without dropout.
 */
export function varTrainingCrossEntropy(models: VarModelPair, batch: VarBatch, rng: Rng, condDropRate: number): tf.Scalar {
  return tf.tidy(() => {
    const labels = dropClassLabels(batch.labels, models.transformer.numClasses, condDropRate, rng);
    return varCrossEntropy(models, { labels, indices: batch.indices });
  });
}
