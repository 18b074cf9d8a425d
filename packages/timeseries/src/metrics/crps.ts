import { InputError } from '@nextx/core';

/**
 * CRPS of one observation against samples of the forecast distribution, CRPS = E|X − y| − ½·E|X − X'| (Gneiting &
 * Raftery 2007, eq. 21), with the sample distribution's expectations (properscoring's `crps_ensemble`): after
 * sorting, E|X − X'| = (2/n²)·Σ_i (2i − n − 1)·x_(i), i = 1…n. Lower is better; it equals |y − x| for one sample.
 */
export function crpsFromSamples(samples: ArrayLike<number>, observation: number): number {
  const n = samples.length;
  if (n === 0) throw new InputError('CRPS needs at least one sample');
  const sorted = Float64Array.from(samples).sort();
  if (!Number.isFinite(sorted[0] as number) || !Number.isFinite(sorted[n - 1] as number)) throw new InputError('CRPS: a sample is not finite');
  let absError = 0;
  let spread = 0;
  for (let i = 0; i < n; i++) {
    const x = sorted[i] as number;
    absError += Math.abs(x - observation);
    spread += (2 * (i + 1) - n - 1) * x;
  }
  return absError / n - spread / (n * n);
}

/**
 * Mean CRPS over forecast steps: `samples[s][j]` is path s at step j, `actual[j]` the observation (missing ones,
 * NaN, skipped).
 */
export function meanCrps(samples: ReadonlyArray<ArrayLike<number>>, actual: ArrayLike<number>): number {
  let sum = 0;
  let n = 0;
  for (let j = 0; j < actual.length; j++) {
    const y = actual[j] as number;
    if (!Number.isFinite(y)) continue;
    sum += crpsFromSamples(samples.map((path) => path[j] as number), y);
    n++;
  }
  if (n === 0) throw new InputError('CRPS: no observed actual value to score');
  return sum / n;
}

/** Empirical quantile (linear interpolation between order statistics, numpy's default 'linear'). */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new InputError(`quantile level must be in [0, 1]; got ${q}`);
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) throw new InputError('quantile of no values');
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return (sorted[lo] as number) + (pos - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}
