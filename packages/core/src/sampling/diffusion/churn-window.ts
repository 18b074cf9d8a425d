import { InputError } from '../../errors.js';
import type { EntropyProfile } from '../../diffusion/entropy-profile.js';
import { entropyQuantile, type ScheduleRange } from './entropic-schedule.js';

/** The σ interval in which a stochastic sampler adds churn; `enabled` false means a deterministic run. */
export interface ChurnWindow {
  readonly enabled: boolean;
  readonly sTmin: number;
  readonly sTmax: number;
}

/**
 * CoBit's entropy-gated window (official `resolve_stochastic_cfg`, `window_mode = entropy_cdf`): the σ at CDF levels
 * q_lo and q_hi of the profile, each clamped to the sampling range. Enabled when S_churn > 0 and the window is not empty.
 */
export function entropyChurnWindow(profile: EntropyProfile, quantiles: readonly [number, number], range: ScheduleRange, sChurn: number): ChurnWindow {
  const clamp01 = (q: number) => Math.min(Math.max(q, 0), 1);
  let [qLo, qHi] = quantiles.map(clamp01) as [number, number];
  if (qHi < qLo) [qLo, qHi] = [qHi, qLo];
  const sigmaMin = Math.min(range.sigmaMin, range.sigmaMax);
  const sigmaMax = Math.max(range.sigmaMin, range.sigmaMax);
  const clampRange = (s: number) => Math.min(Math.max(s, sigmaMin), sigmaMax);
  let lo = clampRange(entropyQuantile(profile, qLo));
  let hi = clampRange(entropyQuantile(profile, qHi));
  if (hi < lo) [lo, hi] = [hi, lo];
  return { enabled: sChurn > 0 && hi >= lo, sTmin: lo, sTmax: hi };
}

/**
 * γ_i of EDM's churn (Karras et al. 2022, Alg. 2) for the N − 1 steps between N levels, as CoBit computes it:
 * min(S_churn/(N − 1), √2 − 1) where S_tmin ≤ σ_i ≤ S_tmax (both inclusive), else 0. (EDM divides by its number of
 * steps into σ = 0, N; CoBit by its N − 1 Euler steps, and its final denoise is never churned.)
 */
export function churnGammas(levels: ArrayLike<number>, sChurn: number, window: ChurnWindow): Float64Array {
  if (!(sChurn >= 0)) throw new InputError(`S_churn must be ≥ 0; got ${sChurn}`);
  const steps = Math.max(levels.length - 1, 0);
  const out = new Float64Array(steps);
  if (!window.enabled || steps === 0) return out;
  const gamma = Math.max(0, Math.min(sChurn / steps, Math.SQRT2 - 1));
  for (let i = 0; i < steps; i++) {
    const sigma = levels[i] as number;
    if (sigma >= window.sTmin && sigma <= window.sTmax) out[i] = gamma;
  }
  return out;
}
