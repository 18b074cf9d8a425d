import { z } from 'zod';
import { tf, InputError, Rng, parseConfig, type ComplexTensor } from '@nextx/core';
import { toComplexTensor, type ComplexArray } from '../kspace/complex-array.js';
import { sampleMask, maskKindSchema, type CartesianMask } from '../kspace/cartesian-mask.js';
import { undersample } from '../kspace/data-consistency.js';
import { simulateAcquisition } from '../data/simulate-acquisition.js';
import type { RealImage } from '../data/resample.js';
import { evaluateVolume, type ReconstructionMetrics } from '../metrics/evaluate.js';

export const heldOutSchema = z.object({
  acceleration: z.number().min(1),
  /** Centre fraction of the measured mask (default 0.64 / R, the demo model's rule). */
  centerFraction: z.number().gt(0).max(1).optional(),
  maskKind: maskKindSchema.default('random'),
  numCoils: z.number().int().min(1).max(64).default(8),
  noise: z.number().nonnegative().default(0.005),
  seed: z.number().int().default(19),
});
export type HeldOutOptions = z.input<typeof heldOutSchema>;

/** One held-out slice, acquired and undersampled, as every method sees it. */
export interface HeldOutCase {
  readonly index: number;
  /** fastMRI's reconstruction_rss of the fully sampled acquisition: what every method is scored against. */
  readonly target: RealImage;
  readonly fullKspace: ComplexArray;
  readonly mask: CartesianMask;
}

/** Seeded acquisitions of `images` (coils, phase, noise, mask per slice), the same for every method compared. */
export function heldOutCases(images: readonly RealImage[], options: HeldOutOptions): HeldOutCase[] {
  const o = parseConfig(heldOutSchema, options, 'held-out evaluation');
  if (!images.length) throw new InputError('held-out evaluation: no slices');
  const rng = Rng.seeded(o.seed);
  return images.map((image, index) => {
    const acquisition = simulateAcquisition(image, { numCoils: o.numCoils, noise: o.noise }, rng.fork());
    const cf = o.centerFraction ?? Math.min(1, 0.64 / o.acceleration);
    const mask = sampleMask(image.width, { kind: o.maskKind, acceleration: o.acceleration, centerFraction: cf }, rng.fork());
    return { index, target: acquisition.target, fullKspace: acquisition.kspace, mask };
  });
}

/** The measured (zero-filled) k-space of a case as tensors; the caller disposes them. */
export function measuredKspace(c: HeldOutCase): ComplexTensor {
  return tf.tidy(() => {
    const full = toComplexTensor(c.fullKspace);
    return undersample(full, c.mask);
  });
}

/** fastMRI's metrics over the volume of the stacked held-out slices (SSIM per slice, averaged; data range = volume max). */
export function volumeMetrics(targets: readonly RealImage[], predictions: readonly Float32Array[]): ReconstructionMetrics {
  if (targets.length !== predictions.length || !targets.length) throw new InputError(`volume metrics: ${targets.length} targets, ${predictions.length} predictions`);
  const { height: h, width: w } = targets[0] as RealImage;
  const stack = (arrays: readonly Float32Array[]) => {
    const out = new Float32Array(arrays.length * h * w);
    arrays.forEach((a, i) => {
      if (a.length !== h * w) throw new InputError(`volume metrics: slice ${i} has ${a.length} values, not ${h}×${w}`);
      out.set(a, i * h * w);
    });
    return out;
  };
  const shape: [number, number, number] = [targets.length, h, w];
  return evaluateVolume({ data: stack(targets.map((t) => t.data)), shape }, { data: stack(predictions), shape });
}
