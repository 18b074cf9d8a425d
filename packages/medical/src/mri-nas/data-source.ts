import { existsSync } from 'node:fs';
import { z } from 'zod';
import { InputError, Rng, parseConfig } from '@nextx/core';
import { readBrainSlices } from '../data/brain-slices.js';
import { COLIN27_T1 } from '../data/nifti-volume.js';
import { randomEllipsePhantom } from '../data/phantoms.js';
import type { RealImage } from '../data/resample.js';
import { splitByRegion, type SliceSplit } from '../data/splits.js';

export const sliceDataSchema = z.object({
  /** 'colin27': axial slices of a T1 NIfTI volume (default Debian mricron-data's ch2better); 'phantoms': random ellipses. */
  kind: z.enum(['colin27', 'phantoms']).default('colin27'),
  /** The NIfTI volume for 'colin27'. */
  path: z.string().default(COLIN27_T1),
  /** Phantoms per split for 'phantoms' (train, validation, test). */
  phantoms: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]).default([256, 16, 16]),
});
export type SliceDataOptions = z.input<typeof sliceDataSchema>;

/** Images of the three splits and how they were split (for reports). */
export interface SplitSlices {
  readonly train: readonly RealImage[];
  readonly validation: readonly RealImage[];
  readonly test: readonly RealImage[];
  /** The axial index of each test slice ('colin27'). */
  readonly testZ: readonly number[];
  readonly description: string;
}

/**
 * The slices a model trains and is evaluated on. Colin27 is one subject, so it is split by volume region
 * (`splitByRegion`: a mid-brain test slab, a validation slab above it, gaps of 5 mm); phantoms are drawn from
 * separate Rng streams per split.
 */
export function readSplitSlices(input: SliceDataOptions, size: number, seed = 0): SplitSlices {
  const options = parseConfig(sliceDataSchema, input, 'slice data');
  if (options.kind === 'phantoms') {
    const rng = Rng.seeded(seed);
    const draw = (n: number, r: Rng) => Array.from({ length: n }, () => randomEllipsePhantom(size, r));
    const [a, b, c] = options.phantoms;
    return { train: draw(a, rng.fork()), validation: draw(b, rng.fork()), test: draw(c, rng.fork()), testZ: [], description: `random ellipse phantoms (seed ${seed}: ${a} / ${b} / ${c})` };
  }
  if (!existsSync(options.path)) {
    throw new InputError(`${options.path} not found: install Debian's mricron-data (apt-get install mricron-data) for the Colin27 brain, or use the phantoms (--data phantoms)`);
  }
  const slices = readBrainSlices({ path: options.path, size });
  const split: SliceSplit = splitByRegion(slices.z, slices.spacing);
  const pick = (indices: readonly number[]) => indices.map((i) => slices.images[i] as RealImage);
  const zs = (indices: readonly number[]) => indices.map((i) => slices.z[i] as number);
  const range = (indices: readonly number[]) => `z ${Math.min(...zs(indices))}–${Math.max(...zs(indices))}`;
  return {
    train: pick(split.train),
    validation: pick(split.validation),
    test: pick(split.test),
    testZ: zs(split.test),
    description: `${options.path}: ${slices.images.length} axial slices (${slices.spacing} mm), split by region — test ${range(split.test)} (${split.test.length}), validation ${range(split.validation)} (${split.validation.length}), train the rest outside 5 mm gaps (${split.train.length})`,
  };
}
