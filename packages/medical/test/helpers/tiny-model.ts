import { tf, Rng } from '@nextx/core';
import { MriNasModel, sampleMask, sheppLogan, simulateAcquisition, toComplexTensor, undersample, type MriNasConfigInput } from '../../src/index.js';

/** A model small enough for tests: 16×16 images, a 4×4 token grid, levels 4×, 2×, 1×. */
export const TINY_CONFIG: MriNasConfigInput = {
  imageSize: 16,
  accelerations: [4, 2, 1],
  centerFraction: 1,
  tokenizer: { channels: [4, 8, 8], latentDim: 4, codebookSize: 16, numGroups: 2 },
  transformer: { depth: 1, width: 16, numHeads: 2, mlpRatio: 2 },
};

export function tinyModel(seed = 0): MriNasModel {
  return new MriNasModel(TINY_CONFIG, seed);
}

/** A 4-coil 4× acquisition of a 16×16 Shepp–Logan: zero-filled k-space (caller disposes), mask, target. */
export function tinyMeasurement(seed = 1, acceleration = 4) {
  const acquisition = simulateAcquisition(sheppLogan(16), { numCoils: 4, noise: 0.002 }, Rng.seeded(seed));
  const mask = sampleMask(16, { acceleration, centerFraction: Math.min(1, 1 / acceleration) }, Rng.seeded(seed + 1));
  const kspace = tf.tidy(() => undersample(toComplexTensor(acquisition.kspace), mask));
  return { kspace, mask, target: acquisition.target, acquisition };
}
