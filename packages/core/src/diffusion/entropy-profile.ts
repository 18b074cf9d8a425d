import { InputError } from '../errors.js';

/**
 * An entropy-rate profile over noise levels (CoBit, Gatzolis et al.): how much information the denoiser resolves per
 * unit of σ at each level, estimated from training, as the four float32 tables the official code saves
 * (`entropy_{pdf,cdf,sigmas,edges}.pt`): K log-spaced bins between σ_min and σ_max, their geometric midpoints, the
 * normalised mass of each bin and its running sum. Training σ draws (sigma-draws.ts) and the entropic sampling
 * schedule (sampling/diffusion/entropic-schedule.ts) read these tables.
 */
export interface EntropyProfile {
  /** Mass of each bin, Σ = 1. [K] */
  readonly pdf: Float32Array;
  /** Running sum of pdf with the last entry set to 1. [K] */
  readonly cdf: Float32Array;
  /** Bin midpoints exp((log e_k + log e_{k+1})/2), ascending. [K] */
  readonly sigmas: Float32Array;
  /** Bin edges, log-spaced from σ_min to σ_max. [K + 1] */
  readonly edges: Float32Array;
}

export interface EntropyProfileOptions {
  /** Number of bins K. */
  readonly bins: number;
  readonly sigmaMin: number;
  readonly sigmaMax: number;
  /**
   * The regulariser r(σ) = x/(1 + x), x = (σ/c)^n, that damps the low-σ end (official `entropy_regularizer_c`,
   * `entropy_regularizer_n`); none when absent.
   */
  readonly regularizer?: { readonly c: number; readonly n: number };
  /** The profile is r(σ)·rate^power: 0.5 for the official `sqrt-rate` target, 1 for `rate`. */
  readonly power?: number;
}

const f32 = Math.fround;

/** torch.linspace(start, end, steps) in float32: the first half counts up from start, the second down from end. */
export function linspaceFloat32(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  if (steps === 1) {
    out[0] = start;
    return out;
  }
  const step = f32((f32(end) - f32(start)) / (steps - 1));
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) out[i] = i < half ? f32(f32(start) + f32(step * i)) : f32(f32(end) - f32(step * (steps - 1 - i)));
  return out;
}

/** The first index i with sorted[i] ≥ value (torch.searchsorted, right=False); sorted.length when none. */
export function searchSortedLeft(sorted: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Log-spaced edges and geometric midpoints of K bins between σ_min and σ_max (float32, as the official tables). */
export function entropyBins(bins: number, sigmaMin: number, sigmaMax: number): { logEdges: Float32Array; edges: Float32Array; sigmas: Float32Array } {
  if (!Number.isInteger(bins) || bins < 1) throw new InputError(`an entropy profile needs a positive whole number of bins; got ${bins}`);
  if (!(sigmaMin > 0 && sigmaMax > sigmaMin)) throw new InputError(`an entropy profile needs 0 < σ_min < σ_max; got ${sigmaMin}, ${sigmaMax}`);
  const logEdges = linspaceFloat32(Math.log(sigmaMin), Math.log(sigmaMax), bins + 1);
  const edges = logEdges.map((v) => Math.exp(v));
  const sigmas = new Float32Array(bins);
  for (let k = 0; k < bins; k++) sigmas[k] = Math.exp(f32(f32((logEdges[k] as number) + (logEdges[k + 1] as number)) / 2));
  return { logEdges, edges, sigmas };
}

/**
 * Builds the profile from (σ, metric) pairs of training steps (official `recompute_entropy_from_buffer`): each pair
 * gives the rate metric/σ²; the mean rate of each log-σ bin, raised to `power` and damped by the regulariser, is
 * normalised into a pdf. The metric is the per-sample mean squared error of the denoised bits, so metric/σ² is the
 * rate at which the MMSE (and with it the information, by the I-MMSE relation) changes with the noise level. A
 * profile with no finite positive mass falls back to uniform, as the official code does.
 */
export function estimateEntropyProfile(sigmas: ArrayLike<number>, metrics: ArrayLike<number>, options: EntropyProfileOptions): EntropyProfile {
  if (sigmas.length !== metrics.length) throw new InputError(`entropy profile: ${sigmas.length} σ values but ${metrics.length} metrics`);
  const { bins, sigmaMin, sigmaMax, regularizer, power = 1 } = options;
  const { logEdges, edges, sigmas: mids } = entropyBins(bins, sigmaMin, sigmaMax);
  const sums = new Float64Array(bins);
  const counts = new Float64Array(bins);
  for (let j = 0; j < sigmas.length; j++) {
    const raw = sigmas[j] as number;
    const metric = metrics[j] as number;
    if (!Number.isFinite(raw) || !Number.isFinite(metric)) continue;
    const sigma = f32(Math.min(Math.max(raw, sigmaMin), sigmaMax));
    const bin = Math.min(Math.max(searchSortedLeft(logEdges, f32(Math.log(sigma))) - 1, 0), bins - 1);
    sums[bin] = (sums[bin] as number) + Math.max(f32(metric / f32(f32(sigma * sigma) + 1e-12)), 0);
    counts[bin] = (counts[bin] as number) + 1;
  }
  const mass = new Float64Array(bins);
  let total = 0;
  let finite = true;
  for (let k = 0; k < bins; k++) {
    const rate = Math.max((sums[k] as number) / ((counts[k] as number) + 1e-8), 0);
    const x = regularizer ? ((mids[k] as number) / regularizer.c) ** regularizer.n : Infinity;
    const damp = regularizer ? x / (1 + x) : 1;
    const u = damp * rate ** power;
    finite &&= Number.isFinite(u);
    mass[k] = u;
    total += u;
  }
  const pdf = new Float32Array(bins);
  if (!finite || !(total > 0)) pdf.fill(1 / bins);
  else for (let k = 0; k < bins; k++) pdf[k] = (mass[k] as number) / total;
  const cdf = new Float32Array(bins);
  let running = 0;
  for (let k = 0; k < bins; k++) {
    running += pdf[k] as number;
    cdf[k] = running;
  }
  cdf[bins - 1] = 1;
  return { pdf, cdf, sigmas: mids, edges };
}

/** The log-normal that matches the profile's first two moments in log σ (a diagnostic of the official code): [μ, std]. */
export function entropyLogNormalFit(profile: EntropyProfile): [number, number] {
  let mean = 0;
  for (let k = 0; k < profile.pdf.length; k++) mean += (profile.pdf[k] as number) * Math.log(profile.sigmas[k] as number);
  let variance = 0;
  for (let k = 0; k < profile.pdf.length; k++) variance += (profile.pdf[k] as number) * (Math.log(profile.sigmas[k] as number) - mean) ** 2;
  return [mean, Math.sqrt(Math.max(variance, 1e-12))];
}

/** Checks the four tables agree in size and order; names the table and index of the first problem. */
export function checkEntropyProfile(profile: EntropyProfile, source = 'entropy profile'): void {
  const k = profile.pdf.length;
  const problem = (what: string) => new InputError(`${source}: ${what}`);
  if (k < 1) throw problem('the tables are empty');
  if (profile.cdf.length !== k || profile.sigmas.length !== k) throw problem(`pdf, cdf and sigmas must have one entry per bin; got ${k}, ${profile.cdf.length}, ${profile.sigmas.length}`);
  if (profile.edges.length !== k + 1) throw problem(`edges must have K + 1 = ${k + 1} entries; got ${profile.edges.length}`);
  for (let i = 0; i < k; i++) {
    if (!(Number.isFinite(profile.pdf[i]) && (profile.pdf[i] as number) >= 0)) throw problem(`pdf[${i}] is ${profile.pdf[i]}`);
    if (!Number.isFinite(profile.cdf[i]) || (i > 0 && (profile.cdf[i] as number) < (profile.cdf[i - 1] as number))) throw problem(`cdf[${i}] = ${profile.cdf[i]} does not continue a non-decreasing sum`);
    if (!((profile.sigmas[i] as number) > 0) || (i > 0 && !((profile.sigmas[i] as number) > (profile.sigmas[i - 1] as number)))) throw problem(`sigmas[${i}] = ${profile.sigmas[i]} is not a positive ascending midpoint`);
  }
  for (let i = 1; i <= k; i++) if (!((profile.edges[i] as number) > (profile.edges[i - 1] as number))) throw problem(`edges[${i}] = ${profile.edges[i]} is not ascending`);
}
