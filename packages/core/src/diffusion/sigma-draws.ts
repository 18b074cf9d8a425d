import { InputError } from '../errors.js';
import type { Rng } from '../rng/rng.js';
import { searchSortedLeft, type EntropyProfile } from './entropy-profile.js';

/** Training noise levels are drawn inside [σ_min, σ_max]. */
export interface SigmaRange {
  readonly sigmaMin: number;
  readonly sigmaMax: number;
}

export interface LogNormalSigmaOptions extends SigmaRange {
  /** ln σ ~ N(pMean, pStd²): EDM's P_mean = −1.2, P_std = 1.2. */
  readonly pMean: number;
  readonly pStd: number;
}

/** A source of standard normals: n values per call. */
export type NormalSource = (n: number) => ArrayLike<number>;
/** A source of uniforms in [0, 1): n values per call. */
export type UniformSource = (n: number) => ArrayLike<number>;

export const normalsFrom = (rng: Rng): NormalSource => (n) => rng.fillNormal(new Float32Array(n));
export const uniformsFrom = (rng: Rng): UniformSource => (n) => rng.fillUniform(new Float32Array(n));

/**
 * EDM's log-normal training σ (Karras et al. 2022), kept inside [σ_min, σ_max] by rejection as the official CoBit
 * code does (`processes.py:sample_sigma`): σ = exp(P_mean + P_std·ν); the slots outside the range are redrawn from a
 * fresh normal vector as long as the number of rejected slots, in slot order, until none is rejected.
 */
export function logNormalSigmas(count: number, options: LogNormalSigmaOptions, normals: NormalSource): Float32Array {
  checkRange(options);
  const out = new Float32Array(count);
  let pending = Array.from({ length: count }, (_, i) => i);
  for (let round = 0; pending.length > 0; round++) {
    if (round > 10_000) throw new InputError(`log-normal σ draw: no value fell inside [${options.sigmaMin}, ${options.sigmaMax}] in 10,000 rounds`);
    const draws = normals(pending.length);
    const rejected: number[] = [];
    pending.forEach((slot, j) => {
      const sigma = Math.fround(Math.exp(options.pMean + options.pStd * (draws[j] as number)));
      if (sigma < options.sigmaMin || sigma > options.sigmaMax) rejected.push(slot);
      else out[slot] = sigma;
    });
    pending = rejected;
  }
  return out;
}

/** Log-uniform training σ (official `processes.py:sample_sigma`, strategy 'log-uniform'): σ = exp(ln σ_min + u·(ln σ_max − ln σ_min)). */
export function logUniformSigmas(count: number, range: SigmaRange, uniforms: UniformSource): Float32Array {
  checkRange(range);
  const lo = Math.log(range.sigmaMin);
  const hi = Math.log(range.sigmaMax);
  const u = uniforms(count);
  return Float32Array.from({ length: count }, (_, i) => Math.exp(lo + (u[i] as number) * (hi - lo)));
}

/** The base σ draw before the entropy profile mixes in: EDM's log-normal, or log-uniform over the range. */
export type BaseSigmaOptions = (LogNormalSigmaOptions & { readonly strategy?: 'log-normal' }) | (SigmaRange & { readonly strategy: 'log-uniform' });

/** n σ from the base draw (`cfg.train.sigma_sampling_strategy`). */
export function baseSigmas(count: number, base: BaseSigmaOptions, rng: Rng): Float32Array {
  return base.strategy === 'log-uniform' ? logUniformSigmas(count, base, uniformsFrom(rng)) : logNormalSigmas(count, base, normalsFrom(rng));
}

/**
 * σ drawn from an entropy profile (official `sample_entropy_sigma`): a bin by inverse CDF (the first bin whose CDF
 * reaches u₁; negative CDF entries read as 0, the last as 1), then log-uniform inside the bin (u₂), clamped to the range.
 */
export function profileSigmasFromUniforms(profile: EntropyProfile, u1: ArrayLike<number>, u2: ArrayLike<number>, range: SigmaRange): Float32Array {
  checkRange(range);
  if (u1.length !== u2.length) throw new InputError(`profile σ draw: ${u1.length} bin uniforms but ${u2.length} position uniforms`);
  const k = profile.cdf.length;
  const cdf = profile.cdf.map((c) => Math.max(c, 0));
  cdf[k - 1] = 1;
  const out = new Float32Array(u1.length);
  for (let j = 0; j < u1.length; j++) {
    const bin = Math.min(Math.max(searchSortedLeft(cdf, u1[j] as number), 0), k - 1);
    const lo = Math.max(profile.edges[bin] as number, range.sigmaMin);
    const hi = Math.min(profile.edges[bin + 1] as number, range.sigmaMax);
    const sigma = Math.exp(Math.log(lo) + (u2[j] as number) * (Math.log(hi) - Math.log(lo)));
    out[j] = Math.min(Math.max(sigma, range.sigmaMin), range.sigmaMax);
  }
  return out;
}

/** `count` σ from a profile, the uniforms from `uniforms` (all bin uniforms first, then all position uniforms). */
export function drawProfileSigmas(profile: EntropyProfile, count: number, uniforms: UniformSource, range: SigmaRange): Float32Array {
  const u1 = uniforms(count);
  const u2 = uniforms(count);
  return profileSigmasFromUniforms(profile, u1, u2, range);
}

export interface ProfileMixture {
  /** Steps before the profile is used at all (official `entropy_warmup_steps`). */
  readonly warmupSteps: number;
  /** Steps over which its share ramps linearly from 0 to `gammaMax` (official `entropy_transition_steps`). */
  readonly transitionSteps: number;
  /** Final share of rows drawn from the profile (official `entropy_gamma_max`). */
  readonly gammaMax: number;
}

/** Share of training rows whose σ comes from the profile at a step: 0 in warm-up, then a linear ramp to γ_max. */
export function profileShare(step: number, mixture: ProfileMixture): number {
  if (step < mixture.warmupSteps) return 0;
  const ramp = Math.min((step - mixture.warmupSteps) / Math.max(mixture.transitionSteps, 1), 1);
  return Math.max(0, Math.min(mixture.gammaMax * ramp, 1));
}

/**
 * Training σ per row (official `draw_sigma`): the base log-normal draw for every row, then, once a profile exists and
 * its share γ(step) is positive, each row with u < γ takes a profile draw instead. Draw order: the base normals, one
 * uniform per row, then the profile's uniforms for the rows that switch.
 */
export function mixedTrainingSigmas(
  count: number,
  step: number,
  options: { readonly base: BaseSigmaOptions; readonly profile?: EntropyProfile; readonly mixture: ProfileMixture },
  rng: Rng,
): Float32Array {
  const sigmas = baseSigmas(count, options.base, rng);
  const gamma = options.profile ? profileShare(step, options.mixture) : 0;
  if (!options.profile || gamma <= 0) return sigmas;
  const chosen: number[] = [];
  for (let i = 0; i < count; i++) if (rng.uniform() < gamma) chosen.push(i);
  if (!chosen.length) return sigmas;
  const drawn = drawProfileSigmas(options.profile, chosen.length, uniformsFrom(rng), options.base);
  chosen.forEach((row, j) => (sigmas[row] = drawn[j] as number));
  return sigmas;
}

function checkRange(range: SigmaRange): void {
  if (!(range.sigmaMin > 0 && range.sigmaMax >= range.sigmaMin)) throw new InputError(`a σ range needs 0 < σ_min ≤ σ_max; got [${range.sigmaMin}, ${range.sigmaMax}]`);
}
