import { z } from 'zod';
import { InputError, parseConfig } from '@nextx/core';

export const regionSplitSchema = z.object({
  /** The held-out test slab, as fractions [from, to) of the kept axial range (inferior → superior). */
  test: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).default([0.42, 0.52]),
  /** The validation slab. */
  validation: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).default([0.62, 0.7]),
  /** Slices within this distance (mm) of a held-out slab are used by no split: neighbouring slices are nearly equal. */
  gapMm: z.number().nonnegative().default(5),
});
export type RegionSplit = z.input<typeof regionSplitSchema>;

export interface SliceSplit {
  readonly train: readonly number[];
  readonly validation: readonly number[];
  readonly test: readonly number[];
}

/**
 * Split by volume region: one subject's axial slices (positions `z`, in slice units of `spacing` mm) cut into a test
 * slab, a validation slab and training slices elsewhere, with a gap of `gapMm` on both sides of each held-out slab.
 * Returns indices into `z`.
 */
export function splitByRegion(zs: readonly number[], spacing: number, options: RegionSplit = {}): SliceSplit {
  const o = parseConfig(regionSplitSchema, options, 'region split');
  if (zs.length < 3) throw new InputError(`a region split needs at least 3 slices; got ${zs.length}`);
  const first = Math.min(...zs);
  const span = Math.max(...zs) - first + 1;
  const slab = ([a, b]: readonly [number, number]) => [first + a * span, first + b * span] as const;
  const test = slab(o.test);
  const validation = slab(o.validation);
  const gap = o.gapMm / spacing;
  const within = (zz: number, [a, b]: readonly [number, number], margin: number) => zz >= a - margin && zz < b + margin;
  const out = { train: [] as number[], validation: [] as number[], test: [] as number[] };
  zs.forEach((zz, i) => {
    if (within(zz, test, 0)) out.test.push(i);
    else if (within(zz, validation, 0)) out.validation.push(i);
    else if (!within(zz, test, gap) && !within(zz, validation, gap)) out.train.push(i);
  });
  if (!out.test.length || !out.validation.length || !out.train.length) {
    throw new InputError(`region split left a split empty (train ${out.train.length}, validation ${out.validation.length}, test ${out.test.length} slices)`);
  }
  return out;
}
