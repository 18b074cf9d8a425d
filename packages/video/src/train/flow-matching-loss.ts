import { flowTimesteps, tf, type Rng } from '@nextx/core';
import type { VideoModel } from '../model/video-model.js';
import { chunkIds, framePositions, teacherForcingMask } from '../model/chunk-mask.js';
import { rolloutStart } from './clip-layout.js';
import { levelsPerToken, renoise } from '../model/frame-levels.js';
import type { VideoBatch } from './video-batch-source.js';
import type { CleanPrediction } from './adversarial-loss.js';

export interface FlowLossOptions {
  /** Share of chunks whose frames get independent levels (the others share one per chunk). */
  readonly perFrameNoise: number;
  /** Share of levels drawn from `grid` instead of U(0, 1). */
  readonly gridProbability: number;
  /** The sampler's levels (without the final 0). */
  readonly grid: readonly number[];
  /** The highest level context frames are noised to (U(0, this) per frame; 0 = clean context). */
  readonly contextNoise?: number;
  /** Weight of the MSE on chunks conditioned on a rolled-out chunk of the context (default 1, as the others). */
  readonly rolloutTargetWeight?: number;
  /** How many chunks deep an `unrolled` batch is unrolled (default 1; see flowMatchingLoss). */
  readonly unrollDepth?: number;
}

/**
 * Per-token weights [1, L, 1] of the MSE over a clip: 1 for the chunks that see only true context, `weight` for the
 * ones after the first rolled-out chunk — chunk c sees context chunks 0 … c − 1 (and is conditioned on c − 1), so
 * those from trueContextChunks + 1 on. The mean stays over every token, so the weight scales the chunks' share.
 */
export function targetWeights(chunks: number, trueContextChunks: number, tokensPerChunk: number, weight: number): tf.Tensor3D {
  const w = new Float32Array(chunks * tokensPerChunk).fill(1);
  w.fill(weight, Math.min(chunks, trueContextChunks + 1) * tokensPerChunk);
  return tf.tensor3d(w, [1, chunks * tokensPerChunk, 1]);
}

/** Levels t per frame of each clip, [B, frames]: per chunk or per frame, uniform or from the sampler's grid. */
export function drawLevels(rng: Rng, batch: number, frames: number, framesPerChunk: number, options: FlowLossOptions): Float32Array {
  const draw = () => (rng.uniform() < options.gridProbability ? (options.grid[rng.int(0, options.grid.length - 1)] as number) : rng.uniform());
  const out = new Float32Array(batch * frames);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < frames / framesPerChunk; c++) {
      const perFrame = rng.uniform() < options.perFrameNoise;
      const shared = draw();
      for (let i = 0; i < framesPerChunk; i++) out[b * frames + c * framesPerChunk + i] = perFrame ? draw() : shared;
    }
  }
  return out;
}

/** The sampler grid the loss favours: the levels a `steps`-step, `shift`-shifted schedule visits. */
export function samplerGrid(steps: number, shift: number): number[] {
  return Array.from(flowTimesteps(steps, { shift })).slice(0, -1);
}

/**
 * The flow-matching loss of a teacher-forced clip (rectified flow, x_t = (1 − t)·x₀ + t·ε, target v = ε − x₀, or x₀
 * itself for a 'last-frame-residual' model):
 * the sequence is [context tokens at level 0 | noised tokens at their frames' levels] under the teacher-forcing mask,
 * so every chunk is denoised against the clean context of the chunks before it, as in generation with a KV cache.
 * With `contextNoise`, the context frames are themselves put at levels drawn from U(0, contextNoise) (the last-frame
 * conditioning stays clean, as generation keeps it).
 * Mean squared error of that target over the noised tokens (chunks conditioned on a rollout weighted by
 * `rolloutTargetWeight`), plus `extra` of the model's clean estimate when given (the adversarial term).
 * An `unrolled` batch is conditioned instead on the model's one-step predictions of its context chunks (from the
 * rollout start on; see oneStepPredictions), with gradient, and their MSE to the truth is added: each prediction is
 * then also trained for what the next chunk makes of it, which a rollout without gradient cannot teach. With
 * `unrollDepth` d those predictions are themselves made from the previous pass's, d passes deep.
 */
export function flowMatchingLoss(
  model: VideoModel,
  batch: VideoBatch,
  rng: Rng,
  options: FlowLossOptions,
  masks: MaskCache,
  extra?: (prediction: CleanPrediction) => tf.Scalar,
): tf.Scalar {
  const { tokensPerFrame, tokensPerChunk, tokenDim } = model.layout;
  const { framesPerChunk } = model.config;
  const frames = batch.frames.length;
  const length = frames * tokensPerFrame;
  const perFrame = drawLevels(rng, batch.batch, frames, framesPerChunk, options);
  const noise = rng.fillNormal(new Float32Array(batch.batch * length * tokenDim));
  const contextNoise = options.contextNoise ?? 0;
  // Drawn only when asked, so that a recipe without context noise keeps its random stream.
  const contextLevels = contextNoise > 0 ? Float32Array.from({ length: batch.batch * frames }, () => rng.uniform() * contextNoise) : undefined;
  const contextEps = contextNoise > 0 ? rng.fillNormal(new Float32Array(batch.batch * length * tokenDim)) : undefined;
  const unrollEps = batch.unrolled ? Array.from({ length: options.unrollDepth ?? 1 }, () => rng.fillNormal(new Float32Array(batch.batch * length * tokenDim))) : [];
  // Unrolled, the chunks from the rollout start on are predicted (a self-forced batch's true chunks end there too).
  const trueContextChunks = batch.unrolled ? rolloutStart(batch.frames, framesPerChunk) : batch.trueContextChunks;
  return tf.tidy(() => {
    const x0 = tf.tensor3d(batch.clean, [batch.batch, length, tokenDim]);
    const given = tf.tensor3d(batch.context, [batch.batch, length, tokenDim]);
    // Depth d: the predictions of pass d are made from the context holding pass d − 1's.
    let context: tf.Tensor = given;
    const unrollMses: tf.Scalar[] = [];
    for (const eps of unrollEps) {
      const predictions = oneStepPredictions(model, context, batch.frames, tf.tensor3d(eps, [batch.batch, length, tokenDim]), masks);
      unrollMses.push(tf.mean(tf.square(tf.sub(predictions, x0))) as tf.Scalar);
      context = withPredictedChunks(given, predictions, trueContextChunks * tokensPerChunk);
    }
    const contextLevel = contextLevels ? tf.tensor2d(contextLevels, [batch.batch, frames]) : tf.zeros([batch.batch, frames]);
    const eps = tf.tensor3d(noise, [batch.batch, length, tokenDim]);
    const levels = tf.tensor2d(perFrame, [batch.batch, frames]);
    const t = levelsPerToken(levels, tokensPerFrame);
    const noisy = renoise(x0, t, eps);
    const seen = contextEps ? renoise(context, levelsPerToken(contextLevel, tokensPerFrame), tf.tensor3d(contextEps, [batch.batch, length, tokenDim])) : context;
    // 'last-frame-residual' is trained on the clean chunk it predicts (x-loss, = the velocity error × t²).
    const clean = model.config.prediction === 'last-frame-residual';
    const predicted = teacherForcedPass(model, seen, noisy, tf.concat([contextLevel, levels], 1), context, batch.frames, masks);
    const squared = tf.square(tf.sub(predicted, clean ? x0 : tf.sub(eps, x0)));
    const weight = options.rolloutTargetWeight ?? 1;
    const chunks = frames / framesPerChunk;
    const weighted = weight === 1 || trueContextChunks >= chunks ? squared : tf.mul(squared, targetWeights(chunks, trueContextChunks, tokensPerChunk, weight));
    const flowMse = tf.mean(weighted) as tf.Scalar;
    const mse = unrollMses.length > 0 ? (tf.addN([flowMse, ...unrollMses]) as tf.Scalar) : flowMse;
    if (!extra) return mse;
    // A velocity v = ε − x₀ at x_t = (1 − t)·x₀ + t·ε gives x₀ = x_t − t·v.
    const estimate = clean ? predicted : tf.sub(noisy, tf.mul(t, predicted));
    return tf.add(mse, extra({ predicted: estimate, truth: x0, context: batch.selfForced || batch.unrolled ? context : x0, frames: batch.frames })) as tf.Scalar;
  });
}

/**
 * Every chunk of a clip as a one-step sampler generates it (flow-euler from pure noise `eps` at level 1: the clean
 * estimate), each against the chunks of `context` [B, L, D] before it and conditioned on its frames before the chunk —
 * one pass under the teacher-forcing mask, with gradient. → [B, L, D].
 */
export function oneStepPredictions(model: VideoModel, context: tf.Tensor, frames: readonly number[], eps: tf.Tensor, masks: MaskCache): tf.Tensor {
  return tf.tidy(() => {
    const batch = context.shape[0] as number;
    const levels = tf.concat([tf.zeros([batch, frames.length]), tf.ones([batch, frames.length])], 1);
    const predicted = teacherForcedPass(model, context, eps, levels, context, frames, masks);
    // At level 1, x_t = ε, so a velocity v gives x̂₀ = ε − v.
    return model.config.prediction === 'last-frame-residual' ? predicted : tf.sub(eps, predicted);
  });
}

/**
 * One pass over [seen context | noised tokens] (levels [B, 2F]: the context's, then the noised frames') under the
 * teacher-forcing mask, both halves of chunk c conditioned on `context`'s frames before c (what generation commits and
 * denoises with) → the noised half's output [B, L, D]: a 'last-frame-residual' model's clean estimate, else the velocity.
 */
function teacherForcedPass(model: VideoModel, seen: tf.Tensor, noisy: tf.Tensor, levels: tf.Tensor, context: tf.Tensor, frames: readonly number[], masks: MaskCache): tf.Tensor {
  return tf.tidy(() => {
    const { tokensPerFrame, tokensPerChunk } = model.layout;
    const length = seen.shape[1] as number;
    const positions = framePositions(frames, tokensPerFrame);
    const conditioning = model.conditioningOf(context, frames);
    const call = {
      positions: [...positions, ...positions],
      mask: masks.get(frames.length / model.config.framesPerChunk, tokensPerChunk),
      ...(conditioning ? { conditioning: tf.concat([conditioning, conditioning], 1) } : {}),
    };
    const sequence = tf.concat([seen, noisy], 1);
    const output = model.config.prediction === 'last-frame-residual' ? model.transformer.predictClean(sequence, levels, call) : model.transformer.forward(sequence, levels, call);
    return tf.slice(output, [0, length, 0], [-1, length, -1]);
  });
}

/** `context` [B, L, D] with its tokens from `from` on replaced by `predictions`' (the first chunks stay the truth). */
function withPredictedChunks(context: tf.Tensor, predictions: tf.Tensor, from: number): tf.Tensor {
  return tf.tidy(() => {
    const length = context.shape[1] as number;
    if (from >= length) return context.clone();
    return tf.concat([tf.slice(context, [0, 0, 0], [-1, from, -1]), tf.slice(predictions, [0, from, 0], [-1, length - from, -1])], 1);
  });
}

/** Teacher-forcing masks by clip length, kept across steps (dispose at the end of training). */
export class MaskCache {
  private readonly masks = new Map<number, tf.Tensor2D>();

  get(chunks: number, tokensPerChunk: number): tf.Tensor2D {
    let mask = this.masks.get(chunks);
    if (!mask) {
      const ids = chunkIds(chunks, tokensPerChunk);
      mask = tf.keep(teacherForcingMask(ids, ids));
      this.masks.set(chunks, mask);
    }
    return mask;
  }

  dispose(): void {
    tf.dispose([...this.masks.values()]);
    this.masks.clear();
  }
}
