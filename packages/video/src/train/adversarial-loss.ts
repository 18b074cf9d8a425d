import { stopGradient, tf } from '@nextx/core';
import { lastFrameConditioning } from '../model/last-frame.js';
import type { VideoModel } from '../model/video-model.js';
import type { FrameDiscriminator } from './frame-discriminator.js';
import type { ReferenceDiscriminator } from './reference-discriminator.js';

/** What the flow-matching loss predicted for a clip's noised tokens, with the context it was conditioned on and the truth. */
export interface CleanPrediction {
  /** The model's estimate of the clean tokens [B, L, D]. */
  readonly predicted: tf.Tensor;
  /** The true clean tokens [B, L, D]. */
  readonly truth: tf.Tensor;
  /** The context the chunks were conditioned on, [B, L, D]: `truth` itself when the batch is teacher-forced, or the model's own rollout. */
  readonly context: tf.Tensor;
  /** Frame index of each frame of the clip. */
  readonly frames: readonly number[];
}

/** Hinge loss of a discriminator (Lim & Ye 2017; as in BigGAN and VQGAN): mean relu(1 − real) + mean relu(1 + fake). */
export function discriminatorHingeLoss(real: tf.Tensor, fake: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.add(tf.mean(tf.relu(tf.sub(1, real))), tf.mean(tf.relu(tf.add(1, fake)))) as tf.Scalar);
}

/** The generator's side of the hinge loss: −mean fake. */
export function generatorHingeLoss(fake: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(fake)) as tf.Scalar);
}

/**
 * What the discriminator sees of a clip: every decoded frame [B, F, S, S], stacked on the channel axis with the
 * k decoded frames its chunk is conditioned on (taken from `conditioningSource` [B, F, S, S]: the model's
 * conditioning frames before the chunk, zeros where there are none) — [B·F, S, S, 1 + k]; k = 0 gives the frames alone.
 */
export function discriminatorInput(model: VideoModel, decoded: tf.Tensor, conditioningSource: tf.Tensor, frames: readonly number[], k: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, count, size] = decoded.shape as [number, number, number, number];
    if (k === 0) return tf.reshape(decoded, [batch * count, size, size, 1]) as tf.Tensor4D;
    // One "token" per frame of size² features: the conditioning's own layout, on pixels.
    const source = tf.reshape(conditioningSource, [batch, count, size * size]);
    const conditioning = tf.reshape(lastFrameConditioning(source, frames, model.config.framesPerChunk, 1, k), [batch * count, k, size, size]);
    const stacked = tf.concat([tf.reshape(decoded, [batch * count, 1, size, size]), conditioning], 1);
    return tf.transpose(stacked, [0, 2, 3, 1]) as tf.Tensor4D;
  });
}

export interface AdversarialTerms {
  /** What the one optimizer minimises: discriminator + weight · generator. */
  readonly total: tf.Scalar;
  readonly discriminator: tf.Scalar;
  readonly generator: tf.Scalar;
  /** The reference discriminator's share of `discriminator`, when there is one. */
  readonly reference?: tf.Scalar;
}

/**
 * Both sides of the adversarial game in one differentiable sum, so that a single optimizer step trains both: the
 * discriminator's hinge loss on the true frames (conditioned on the true frames before them) against the model's
 * predictions (detached, conditioned on the context the model saw), plus `weight` times the generator's loss on the
 * same predictions scored with frozen discriminator weights — each set of weights gets only its own side's gradient;
 * the generator's reaches the model through the (frozen) decoder. The truth is decoded once, and the context only
 * when it is another tensor (a self-forced rollout) and the discriminator looks at it. With a `reference`
 * discriminator both sides also get its hinge terms on the frames after the clip's first chunk, each paired with the
 * clip's first frame (true in every clip: the sink).
 */
export function adversarialTerms(model: VideoModel, discriminator: FrameDiscriminator, prediction: CleanPrediction, weight: number, reference?: ReferenceDiscriminator): AdversarialTerms {
  return tf.tidy(() => {
    const { predicted, truth, context, frames } = prediction;
    const trueFrames = model.tokensToFrames(truth);
    const predictedFrames = model.tokensToFrames(predicted);
    const contextFrames = context === truth || discriminator.conditioningFrames === 0 ? trueFrames : model.tokensToFrames(context);
    const k = discriminator.conditioningFrames;
    const real = discriminator.logits(discriminatorInput(model, trueFrames, trueFrames, frames, k));
    const fakeInput = discriminatorInput(model, predictedFrames, contextFrames, frames, k);
    let d = discriminatorHingeLoss(real, discriminator.logits(stopGradient(fakeInput)));
    let g = generatorHingeLoss(discriminator.logits(fakeInput, true));
    let referenceLoss: tf.Scalar | undefined;
    if (reference) {
      const pairs = referencePairs(trueFrames, predictedFrames, model.config.framesPerChunk);
      referenceLoss = discriminatorHingeLoss(reference.logits(pairs.truth, pairs.sink), reference.logits(stopGradient(pairs.predicted), pairs.sink));
      d = tf.add(d, referenceLoss) as tf.Scalar;
      g = tf.add(g, generatorHingeLoss(reference.logits(pairs.predicted, pairs.sink, true))) as tf.Scalar;
    }
    return { total: tf.add(d, tf.mul(g, weight)) as tf.Scalar, discriminator: d, generator: g, ...(referenceLoss ? { reference: referenceLoss } : {}) };
  });
}

/**
 * The reference discriminator's inputs: the true and the predicted frames after the first chunk (the first is the
 * sink itself, never generated), each with the clip's first true frame — [B·(F − framesPerChunk), S, S, 1] each.
 */
export function referencePairs(trueFrames: tf.Tensor, predictedFrames: tf.Tensor, framesPerChunk: number): { truth: tf.Tensor4D; predicted: tf.Tensor4D; sink: tf.Tensor4D } {
  return tf.tidy(() => {
    const [batch, count, size] = trueFrames.shape as [number, number, number, number];
    const later = count - framesPerChunk;
    const pick = (t: tf.Tensor) => tf.reshape(tf.slice(t, [0, framesPerChunk, 0, 0], [-1, later, -1, -1]), [batch * later, size, size, 1]) as tf.Tensor4D;
    const first = tf.slice(trueFrames, [0, 0, 0, 0], [-1, 1, -1, -1]);
    const sink = tf.reshape(tf.tile(first, [1, later, 1, 1]), [batch * later, size, size, 1]) as tf.Tensor4D;
    return { truth: pick(trueFrames), predicted: pick(predictedFrames), sink };
  });
}
