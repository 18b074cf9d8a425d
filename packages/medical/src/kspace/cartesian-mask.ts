import { z } from 'zod';
import { tf, InputError, parseConfig, type Rng } from '@nextx/core';

/**
 * A Cartesian undersampling mask: which columns (phase-encoding lines, the last axis of [..., H, W] k-space) are
 * measured. fastMRI masks the second-to-last axis of its [..., H, W, 2] tensors, i.e. the same axis W.
 */
export interface CartesianMask {
  /** 1 where the column is measured, 0 elsewhere; length W. */
  readonly columns: Uint8Array;
  /** Columns of the fully sampled centre (fastMRI's `num_low_frequencies`). */
  readonly numLowFrequencies: number;
  /** The acceleration the mask was drawn for (nominal; `effectiveAcceleration` gives the realised one). */
  readonly acceleration: number;
}

export const maskKindSchema = z.enum(['random', 'equispaced', 'equispaced-fraction']);
export type MaskKind = z.infer<typeof maskKindSchema>;

export const maskSpecSchema = z.object({
  /**
   * fastMRI's mask functions: 'random' = RandomMaskFunc, 'equispaced' = EquiSpacedMaskFunc (every R-th column from an
   * offset), 'equispaced-fraction' = EquispacedMaskFractionFunc (spacing adjusted for the centre, as the public
   * multi-coil data).
   */
  kind: maskKindSchema.default('random'),
  /** Undersampling factor R ≥ 1; 1 is fully sampled. */
  acceleration: z.number().min(1),
  /** Fraction of columns in the fully sampled centre; default `defaultCenterFraction(acceleration)`. */
  centerFraction: z.number().gt(0).max(1).optional(),
  /** First sampled column of the equispaced kinds (default: drawn uniformly in [0, round(R)), as fastMRI does). */
  offset: z.number().int().nonnegative().optional(),
});
export type MaskSpec = z.input<typeof maskSpecSchema>;

/** fastMRI's pairs 4× ↔ 0.08 and 8× ↔ 0.04, continued as 0.32 / R (16× → 0.02, 2× → 0.16; 1× is all of k-space). */
export function defaultCenterFraction(acceleration: number): number {
  return Math.min(1, 0.32 / acceleration);
}

/** Python's round(): halves go to the even neighbour (numpy's around does the same), as fastMRI's arithmetic gets. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** fastMRI `calculate_center_mask`: `numLow` ones starting at ⌊(W − numLow + 1) / 2⌋. */
export function centerColumns(numCols: number, numLow: number): Uint8Array {
  const mask = new Uint8Array(numCols);
  const pad = Math.floor((numCols - numLow + 1) / 2);
  mask.fill(1, pad, pad + numLow);
  return mask;
}

/**
 * Draws a mask as fastMRI's MaskFunc does: `round(W · centerFraction)` centre columns, united with the
 * acceleration mask of the kind (RandomMaskFunc: each column with probability (W/R − n_low)/(W − n_low), so the
 * expected count is W/R; EquiSpacedMaskFunc: columns offset, offset + R, …; EquispacedMaskFractionFunc: spacing
 * R·(n_low − W)/(n_low·R − W) so that the count is about W/R). Uniforms come from nextx's Rng, not numpy's, so a
 * random mask equals fastMRI's in distribution, not bit for bit; with `offset` the equispaced kinds are exact.
 */
export function sampleMask(numCols: number, spec: MaskSpec, rng: Rng): CartesianMask {
  const s = parseConfig(maskSpecSchema, spec, 'mask spec');
  if (!Number.isInteger(numCols) || numCols < 1) throw new InputError(`mask: the number of columns must be a positive integer; got ${numCols}`);
  const R = s.acceleration;
  if (R === 1) return { columns: new Uint8Array(numCols).fill(1), numLowFrequencies: numCols, acceleration: 1 };
  const numLow = roundHalfEven(numCols * (s.centerFraction ?? defaultCenterFraction(R)));
  if (numLow > numCols / R) {
    throw new InputError(`mask: a centre of ${numLow} of ${numCols} columns already exceeds the ${numCols / R} that acceleration ${R} allows`);
  }
  const columns = centerColumns(numCols, numLow);
  const accel = accelerationColumns(numCols, R, numLow, s.kind, s.offset, rng);
  for (let c = 0; c < numCols; c++) columns[c] = Math.max(columns[c] as number, accel[c] as number);
  return { columns, numLowFrequencies: numLow, acceleration: R };
}

function accelerationColumns(numCols: number, R: number, numLow: number, kind: MaskKind, offset: number | undefined, rng: Rng): Uint8Array {
  const mask = new Uint8Array(numCols);
  if (kind === 'random') {
    const prob = (numCols / R - numLow) / (numCols - numLow);
    for (let c = 0; c < numCols; c++) mask[c] = rng.uniform() < prob ? 1 : 0;
    return mask;
  }
  if (kind === 'equispaced') {
    if (!Number.isInteger(R)) throw new InputError(`mask: equispaced masks need an integer acceleration; got ${R}`);
    const start = offset ?? rng.int(0, roundHalfEven(R) - 1);
    for (let c = start; c < numCols; c += R) mask[c] = 1;
    return mask;
  }
  const adjusted = (R * (numLow - numCols)) / (numLow * R - numCols);
  const start = offset ?? rng.int(0, roundHalfEven(adjusted) - 1);
  // numpy: around(arange(offset, W − 1, adjusted)), i.e. start + i·adjusted below W − 1
  for (let i = 0; start + i * adjusted < numCols - 1; i++) mask[roundHalfEven(start + i * adjusted)] = 1;
  return mask;
}

export function sampledColumns(mask: CartesianMask): number {
  return mask.columns.reduce((a, b) => a + b, 0);
}

/** W / (columns measured): the acceleration the mask realises. */
export function effectiveAcceleration(mask: CartesianMask): number {
  return mask.columns.length / sampledColumns(mask);
}

/** Throws an InputError unless the mask measures at least one column and matches `numCols`. */
export function checkMask(mask: CartesianMask, numCols: number, what = 'mask'): void {
  if (!(mask?.columns instanceof Uint8Array)) throw new InputError(`${what} must be a CartesianMask with a Uint8Array of columns`);
  if (mask.columns.length !== numCols) throw new InputError(`${what} has ${mask.columns.length} columns but the k-space has ${numCols}`);
  if (sampledColumns(mask) === 0) throw new InputError(`${what} is empty: it measures none of the ${numCols} columns`);
}

/** The mask as a bool tensor [1, …, 1, W] of rank `rank`, broadcasting over [..., H, W]. */
export function maskTensor(mask: CartesianMask, rank: number): tf.Tensor {
  const shape = [...Array.from({ length: rank - 1 }, () => 1), mask.columns.length];
  return tf.tensor(mask.columns, shape, 'bool');
}

/**
 * Masks for a list of accelerations that nest: a more accelerated mask is a subset of a less accelerated one, and
 * the measured mask is the one at `measured.acceleration`. Levels below it (more accelerated) keep measured columns:
 * their centre (fastMRI's rule, where measured), then measured columns drawn uniformly; levels above add their centre,
 * then unmeasured columns drawn uniformly, up to round(W / R) columns; level R's centre is `centerFraction(R)` of the
 * columns (default fastMRI's 0.32 / R). Used by the next-acceleration-scale model, whose level k is the image these
 * columns give.
 */
export function nestedMasks(
  measured: CartesianMask,
  accelerations: readonly number[],
  rng: Rng,
  centerFraction: (acceleration: number) => number = defaultCenterFraction,
): CartesianMask[] {
  const numCols = measured.columns.length;
  checkMask(measured, numCols, 'measured mask');
  const order = [...accelerations].map((R, i) => ({ R, i })).sort((a, b) => b.R - a.R);
  const out: CartesianMask[] = new Array(accelerations.length);
  const below = order.filter(({ R }) => R > measured.acceleration);
  const above = order.filter(({ R }) => R <= measured.acceleration);
  // Less accelerated levels grow from the measured mask, one after the other.
  let current: Uint8Array = measured.columns.slice();
  for (const { R, i } of above) {
    if (R !== measured.acceleration) current = grow(current, R, rng, centerFraction);
    out[i] = R === measured.acceleration ? { ...measured, columns: measured.columns.slice() } : finish(current, R, centerFraction);
  }
  // More accelerated levels shrink from it (most accelerated last, each a subset of the previous).
  let shrinking: Uint8Array = measured.columns.slice();
  for (const { R, i } of [...below].reverse()) {
    shrinking = subset(shrinking, R, rng, centerFraction);
    out[i] = finish(shrinking, R, centerFraction);
  }
  return out;
}

function finish(columns: Uint8Array, R: number, centerFraction: (R: number) => number): CartesianMask {
  const numLow = R === 1 ? columns.length : roundHalfEven(columns.length * centerFraction(R));
  return { columns: columns.slice(), numLowFrequencies: numLow, acceleration: R };
}

function targetCount(numCols: number, R: number): number {
  return Math.max(1, roundHalfEven(numCols / R));
}

/** Adds the centre of acceleration R, then uniformly drawn unmeasured columns, up to round(W / R). */
function grow(columns: Uint8Array, R: number, rng: Rng, centerFraction: (R: number) => number): Uint8Array {
  const numCols = columns.length;
  if (R === 1) return new Uint8Array(numCols).fill(1);
  const out = columns.slice();
  const centre = centerColumns(numCols, roundHalfEven(numCols * centerFraction(R)));
  centre.forEach((v, c) => {
    if (v) out[c] = 1;
  });
  const candidates = shuffled(
    Array.from({ length: numCols }, (_, c) => c).filter((c) => out[c] === 0),
    rng,
  );
  let count = out.reduce((a, b) => a + b, 0);
  for (const c of candidates) {
    if (count >= targetCount(numCols, R)) break;
    out[c] = 1;
    count++;
  }
  return out;
}

/** Keeps the centre of acceleration R where measured, then uniformly drawn measured columns, up to round(W / R). */
function subset(columns: Uint8Array, R: number, rng: Rng, centerFraction: (R: number) => number): Uint8Array {
  const numCols = columns.length;
  const out = new Uint8Array(numCols);
  const centre = centerColumns(numCols, roundHalfEven(numCols * centerFraction(R)));
  let count = 0;
  centre.forEach((v, c) => {
    if (v && columns[c]) {
      out[c] = 1;
      count++;
    }
  });
  const candidates = shuffled(
    Array.from({ length: numCols }, (_, c) => c).filter((c) => columns[c] && !out[c]),
    rng,
  );
  for (const c of candidates) {
    if (count >= targetCount(numCols, R)) break;
    out[c] = 1;
    count++;
  }
  return out;
}

/** Fisher–Yates with the Rng. */
function shuffled<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
