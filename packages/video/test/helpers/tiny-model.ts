import { Rng, normalInit, tf } from '@nextx/core';
import { VideoModel } from '../../src/model/video-model.js';
import type { VideoModelConfigInput } from '../../src/model/config.js';

/** A small config: 16 × 16 frames, 4 tokens per frame, 2 frames per chunk, 2 layers of 2 heads. */
export const TINY_CONFIG: VideoModelConfigInput = {
  data: { size: 16, spriteSize: 8, objects: 1, sprites: 'shapes' },
  autoencoder: { frameSize: 16, latentChannels: 4, widths: [4, 8] },
  patch: 2,
  framesPerChunk: 2,
  dim: 32,
  depth: 2,
  heads: 2,
  ropeTimeDims: 4,
};

/**
 * The tiny model with its zero-initialised output head (and last-frame embedding) given random weights, so that an untrained model's
 * predictions depend on everything it attends to (a zero head would make every path agree trivially).
 */
export function tinyModel(overrides: VideoModelConfigInput = {}, seed = 3): VideoModel {
  const model = new VideoModel({ ...TINY_CONFIG, ...overrides }, { seed });
  const rng = Rng.seeded(seed + 100);
  tf.tidy(() => {
    const head = model.transformer.head;
    head.weight.assign(normalInit(head.weight.shape, rng, 0.3));
    const condition = model.transformer.conditionEmbed;
    condition?.weight.assign(normalInit(condition.weight.shape, rng, 0.3));
  });
  return model;
}
