import { tf, sparseCrossEntropy } from '@nextx/core';
import type { MriNasTransformer } from './transformer.js';

/** A teacher-forcing batch of the transformer, host data (tensors are made inside the loss). */
export interface MriNasTokenBatch {
  readonly batch: number;
  /** f̂ of levels 0 … K−2, the inputs of levels 1 … K−1: [B, K−1, h·w, Cvae]. */
  readonly fhats: Float32Array;
  /** Token ids of levels 1 … K−1: [B, (K−1)·h·w]. */
  readonly targets: Int32Array;
  /** E(x) of each sample's measured level: [B, h, w, Cvae]. */
  readonly measuredLatents: Float32Array;
  /** The measured level of each sample: [B]. */
  readonly inputLevels: Int32Array;
}

/**
 * Cross-entropy of the tokens the model has to predict: positions of levels after each sample's measured level (the
 * levels up to it are encoded from the measurement at inference, so they are not predicted), averaged over them.
 */
export function mriNasCrossEntropy(transformer: MriNasTransformer, batch: MriNasTokenBatch): tf.Scalar {
  return tf.tidy(() => {
    const K = transformer.numLevels;
    const g = transformer.grid;
    const hw = g * g;
    const cvae = transformer.config.tokenizer.latentDim;
    const B = batch.batch;
    const fhats = tf.tensor4d(batch.fhats, [B, K - 1, hw, cvae]);
    const latents = tf.tensor4d(batch.measuredLatents, [B, g, g, cvae]);
    const levels = tf.tensor1d(batch.inputLevels, 'int32');
    const logits = transformer.forward(fhats, latents, levels);
    // weight 1 where the position's level (1 + ⌊p / hw⌋) lies after the sample's measured level
    const weights = new Float32Array(B * (K - 1) * hw);
    for (let b = 0; b < B; b++) {
      for (let p = 0; p < (K - 1) * hw; p++) weights[b * (K - 1) * hw + p] = 1 + Math.floor(p / hw) > (batch.inputLevels[b] as number) ? 1 : 0;
    }
    return sparseCrossEntropy(logits, batch.targets, { weights: tf.tensor2d(weights, [B, (K - 1) * hw]) }) as tf.Scalar;
  });
}
