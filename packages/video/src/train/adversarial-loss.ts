import { stopGradient, tf } from '@nextx/core';
import type { ChunkDiscriminator } from './chunk-discriminator.js';

/** What the flow-matching loss predicted for a clip's noised tokens, with what it was conditioned on and the truth. */
export interface CleanPrediction {
  /** The model's estimate of the clean tokens [B, L, D]. */
  readonly predicted: tf.Tensor;
  /** The true clean tokens [B, L, D]. */
  readonly truth: tf.Tensor;
  /** The conditioning the model saw (from its context: the truth or its own rollout), [B, L, k·D]. */
  readonly conditioning: tf.Tensor | undefined;
  /** The conditioning of the truth by the truth's own earlier frames, [B, L, k·D]. */
  readonly trueConditioning: tf.Tensor | undefined;
}

/** Hinge loss of a discriminator (Lim & Ye 2017; as in BigGAN and VQGAN): mean relu(1 − real) + mean relu(1 + fake). */
export function discriminatorHingeLoss(real: tf.Tensor, fake: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.add(tf.mean(tf.relu(tf.sub(1, real))), tf.mean(tf.relu(tf.add(1, fake)))) as tf.Scalar);
}

/** The generator's side of the hinge loss: −mean fake. */
export function generatorHingeLoss(fake: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(fake)) as tf.Scalar);
}

export interface AdversarialTerms {
  /** What the one optimizer minimises: discriminator + weight · generator. */
  readonly total: tf.Scalar;
  readonly discriminator: tf.Scalar;
  readonly generator: tf.Scalar;
}

/**
 * Both sides of the adversarial game in one differentiable sum, so that a single optimizer step trains both: the
 * discriminator's hinge loss on true chunks (with their true conditioning) against the model's predictions (detached,
 * with the conditioning the model saw), plus `weight` times the generator's loss on the same predictions scored by the
 * discriminator with frozen weights — each set of weights gets only its own side's gradient.
 */
export function adversarialTerms(discriminator: ChunkDiscriminator, prediction: CleanPrediction, weight: number): AdversarialTerms {
  return tf.tidy(() => {
    const { predicted, truth, conditioning, trueConditioning } = prediction;
    const real = discriminator.logits(truth, trueConditioning);
    const fake = discriminator.logits(stopGradient(predicted), conditioning);
    const d = discriminatorHingeLoss(real, fake);
    const g = generatorHingeLoss(discriminator.logits(predicted, conditioning, true));
    return { total: tf.add(d, tf.mul(g, weight)) as tf.Scalar, discriminator: d, generator: g };
  });
}
