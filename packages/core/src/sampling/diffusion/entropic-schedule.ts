import { InputError } from '../../errors.js';
import { searchSortedLeft, type EntropyProfile } from '../../diffusion/entropy-profile.js';

/**
 * Sampling schedules from an entropy-rate profile (CoBit, official `samplers.py:SigmaSchedule`). Each returns the N
 * noise levels of a run in decreasing order, without a trailing 0: CoBit's sampler takes N − 1 Euler steps between them
 * and ends with a denoise at the last one. (Core's samplers take the levels followed by 0; their last step into 0 is
 * that same final denoise.)
 */
export interface ScheduleRange {
  /** The terminal σ (0.08 in every CoBit evaluation config). */
  readonly sigmaMin: number;
  /** The largest σ asked for (80 by default); the entropic schedule caps it at the largest table midpoint. */
  readonly sigmaMax: number;
}

/** The table's σ midpoints and its CDF with the last entry set to 1, as the schedules read them. */
function tables(profile: EntropyProfile): { sig: Float64Array; cdf: Float64Array } {
  const k = profile.sigmas.length;
  if (k < 2 || profile.cdf.length !== k) throw new InputError(`an entropic schedule needs a profile of at least 2 bins with a CDF entry per bin; got ${k} midpoints and ${profile.cdf.length} CDF entries`);
  const sig = Float64Array.from(profile.sigmas);
  const cdf = Float64Array.from(profile.cdf);
  cdf[k - 1] = 1;
  return { sig, cdf };
}

function orderedRange(range: ScheduleRange): [number, number] {
  if (!(range.sigmaMin > 0 && range.sigmaMax > 0)) throw new InputError(`a σ range needs positive ends; got [${range.sigmaMin}, ${range.sigmaMax}]`);
  return range.sigmaMin <= range.sigmaMax ? [range.sigmaMin, range.sigmaMax] : [range.sigmaMax, range.sigmaMin];
}

function checkCount(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new InputError(`the number of noise levels must be a positive integer; got ${n}`);
}

/** y at xq by linear interpolation on ascending x (xq clamped to the table); flat segments are guarded by 1e-20. */
function interpolate(x: Float64Array, y: Float64Array, xq: number): number {
  const k = x.length;
  const q = Math.min(Math.max(xq, x[0] as number), x[k - 1] as number);
  const i = Math.min(Math.max(searchSortedLeft(x, q), 1), k - 1);
  const x0 = x[i - 1] as number;
  return (y[i - 1] as number) + ((q - x0) / Math.max((x[i] as number) - x0, 1e-20)) * ((y[i] as number) - (y[i - 1] as number));
}

/**
 * N levels spaced uniformly in the entropy CDF between the CDF values of the two ends (inverse CDF, linear in σ
 * between table midpoints). The top level is min(σ_max, largest midpoint), not σ_max.
 */
export function entropicSigmas(profile: EntropyProfile, n: number, range: ScheduleRange): Float64Array {
  checkCount(n);
  const { sig, cdf } = tables(profile);
  const [sigmaMin, sigmaMax] = orderedRange(range);
  const k = sig.length;
  const low = Math.max(sigmaMin, sig[0] as number);
  const high = Math.min(sigmaMax, sig[k - 1] as number);
  if (low > high) return new Float64Array(n).fill(Math.max(Math.min(sigmaMax, sig[k - 1] as number), sig[0] as number));
  if (n === 1) return Float64Array.of(high);
  const fLow = interpolate(sig, cdf, low);
  const fHigh = interpolate(sig, cdf, high);
  const ascending = new Float64Array(n);
  if (Math.abs(fHigh - fLow) < 1e-12) {
    for (let j = 0; j < n; j++) ascending[j] = Math.exp(Math.log(low) + (j / (n - 1)) * (Math.log(high) - Math.log(low)));
  } else {
    for (let j = 0; j < n; j++) {
      const u = Math.min(Math.max(fLow + (j / (n - 1)) * (fHigh - fLow), cdf[0] as number), 1 - 1e-7);
      ascending[j] = interpolate(cdf, sig, u);
    }
  }
  ascending[0] = low;
  ascending[n - 1] = high;
  return ascending.reverse();
}

/** Karras et al.'s ρ-schedule with N levels from σ_max down to σ_min, both ends exact ([σ_max] when N = 1). */
export function karrasLevels(n: number, range: ScheduleRange, rho = 7): Float64Array {
  checkCount(n);
  const [sigmaMin, sigmaMax] = orderedRange(range);
  if (n === 1) return Float64Array.of(sigmaMax);
  const a = sigmaMax ** (1 / rho);
  const b = sigmaMin ** (1 / rho);
  const out = Float64Array.from({ length: n }, (_, j) => (a + (j / (n - 1)) * (b - a)) ** rho);
  out[0] = sigmaMax;
  out[n - 1] = sigmaMin;
  return out;
}

/** (1 − α)·entropic + α·Karras (official `entropic_blend_alpha`); the Karras term spans the untruncated range. */
export function entropicBlendSigmas(profile: EntropyProfile, n: number, range: ScheduleRange, alpha: number, rho = 7): Float64Array {
  if (!(alpha >= 0 && alpha <= 1)) throw new InputError(`the blend weight must be in [0, 1]; got ${alpha}`);
  const entropic = entropicSigmas(profile, n, range);
  if (alpha === 0) return entropic;
  const karras = karrasLevels(n, range, rho);
  return entropic.map((s, j) => (1 - alpha) * s + alpha * (karras[j] as number));
}

/**
 * σ at CDF level q of the profile (official `entropy_quantile`): q clamped to [0, 1], linear in σ between midpoints,
 * the smallest midpoint for q at or below the first CDF entry. Not clamped to a sampling range.
 */
export function entropyQuantile(profile: EntropyProfile, q: number): number {
  const { sig, cdf } = tables(profile);
  const level = Math.min(Math.max(q, 0), 1);
  const i = Math.min(searchSortedLeft(cdf, level), sig.length - 1);
  if (i === 0) return sig[0] as number;
  return (sig[i - 1] as number) + ((level - (cdf[i - 1] as number)) / Math.max((cdf[i] as number) - (cdf[i - 1] as number), 1e-20)) * ((sig[i] as number) - (sig[i - 1] as number));
}
