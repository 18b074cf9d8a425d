import { tf } from '@nextx/core';
import type { MovingObjects } from '../data/moving-objects.js';
import type { HeadRole } from '../model/config.js';
import type { VideoModel } from '../model/video-model.js';
import { chunkIds, framePositions, teacherForcingMask } from '../model/chunk-mask.js';

export interface HeadProfileOptions {
  readonly seed?: number;
  readonly sequences?: number;
  readonly chunks?: number;
  /** A head whose share of attention beyond the previous chunk stays below this is 'static'. */
  readonly threshold?: number;
}

/**
 * Each head's share of attention that reaches past the previous chunk, per layer ([L][H]), measured as the model
 * denoises (level 0.5) chunk after chunk of held-out clips against their clean context — the profiling Forcing-KV
 * does before choosing each head's compression.
 */
export function longRangeAttention(model: VideoModel, data: MovingObjects, options: HeadProfileOptions = {}): number[][] {
  const sequences = options.sequences ?? 4;
  const chunks = options.chunks ?? 6;
  const { framesPerChunk } = model.config;
  const { tokensPerFrame, tokensPerChunk } = model.layout;
  const frames = Array.from({ length: chunks * framesPerChunk }, (_, f) => f);
  const size = data.config.size;
  const pixels = new Float32Array(sequences * frames.length * size * size);
  for (let b = 0; b < sequences; b++) pixels.set(data.sequence('heldout', b, options.seed ?? 0).frames(0, frames.length), b * frames.length * size * size);
  const ids = chunkIds(chunks, tokensPerChunk);
  const length = ids.length;
  const shares: number[][] = [];
  tf.tidy(() => {
    const clean = model.framesToTokens(tf.tensor4d(pixels, [sequences, frames.length, size, size]));
    const noise = tf.randomNormal(clean.shape, 0, 1, 'float32', options.seed ?? 0);
    const noisy = tf.add(tf.mul(clean, 0.5), tf.mul(noise, 0.5));
    const levels = tf.concat([tf.zeros([sequences, frames.length]), tf.fill([sequences, frames.length], 0.5)], 1);
    const positions = framePositions(frames, tokensPerFrame);
    // Keys older than the query's previous chunk, for the noisy queries of chunks ≥ 2.
    const far = new Float32Array(length * 2 * length);
    for (let i = 0; i < length; i++) {
      for (let j = 0; j < length; j++) if ((ids[j] as number) < (ids[i] as number) - 1 && (ids[i] as number) >= 2) far[i * 2 * length + j] = 1;
    }
    const farMask = tf.tensor2d(far, [length, 2 * length]);
    const queries = ids.filter((c) => c >= 2).length;
    const conditioning = model.conditioningOf(clean, frames);
    model.transformer.forward(tf.concat([clean, noisy], 1), levels, {
      positions: [...positions, ...positions],
      mask: teacherForcingMask(ids, ids),
      ...(conditioning ? { conditioning: tf.concat([conditioning, conditioning], 1) } : {}),
      onAttention: (layer, probs) => {
        const noisyQueries = tf.slice(probs, [0, 0, length, 0], [-1, -1, length, -1]);
        const mass = tf.sum(tf.mul(noisyQueries, farMask), [0, 2, 3]);
        shares[layer] = Array.from(mass.dataSync(), (m) => m / (sequences * queries));
      },
    });
  });
  return shares;
}

/** Forcing-KV's split: 'static' heads barely look past the previous chunk, 'dynamic' ones do. */
export function profileHeads(model: VideoModel, data: MovingObjects, options: HeadProfileOptions = {}): HeadRole[][] {
  const threshold = options.threshold ?? 0.1;
  return longRangeAttention(model, data, options).map((layer) => layer.map((share) => (share < threshold ? 'static' : 'dynamic')));
}
