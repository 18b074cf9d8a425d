import { InputError } from '../../errors.js';

/**
 * σ schedules in the variance-exploding (EDM) parameterisation x = x₀ + σ·ε. Each returns n noise levels in
 * decreasing order followed by a final 0. VP schedules convert through σ = √((1 − ᾱ)/ᾱ) (Karras et al. 2022, eq. 5
 * and Table 1): a VP sample is x_VP = x_VE/√(1 + σ²), so every sampler here also samples VP-trained models.
 */

/** EDM's schedule: σ_i = (σ_max^{1/ρ} + i/(n−1)·(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ, then σ_n = 0 (Karras et al. eq. 5). */
export function karrasSigmas(n: number, sigmaMin = 0.002, sigmaMax = 80, rho = 7): Float64Array {
  checkSteps(n);
  const out = new Float64Array(n + 1);
  const a = sigmaMax ** (1 / rho);
  const b = sigmaMin ** (1 / rho);
  for (let i = 0; i < n; i++) out[i] = (a + (n > 1 ? i / (n - 1) : 0) * (b - a)) ** rho;
  return out;
}

/** ᾱ_t for t = 1..T of DDPM's linear β schedule (1e-4 → 0.02, Ho et al. 2020) or the cosine schedule (Nichol & Dhariwal 2021, s = 0.008, β ≤ 0.999). */
export function vpAlphasCumprod(kind: 'linear' | 'cosine', steps = 1000): Float64Array {
  checkSteps(steps);
  const out = new Float64Array(steps);
  if (kind === 'linear') {
    let product = 1;
    for (let t = 0; t < steps; t++) {
      const beta = 1e-4 + (steps > 1 ? t / (steps - 1) : 0) * (0.02 - 1e-4);
      product *= 1 - beta;
      out[t] = product;
    }
    return out;
  }
  const f = (t: number) => Math.cos(((t / steps + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
  let product = 1;
  for (let t = 0; t < steps; t++) {
    const beta = Math.min(1 - f(t + 1) / f(t), 0.999);
    product *= 1 - beta;
    out[t] = product;
  }
  return out;
}

/** n VE noise levels of a VP schedule, at training steps spaced evenly from T down to 1 ("trailing"), then 0. */
export function vpSigmas(kind: 'linear' | 'cosine', n: number, trainingSteps = 1000): Float64Array {
  checkSteps(n);
  const alphas = vpAlphasCumprod(kind, trainingSteps);
  const out = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const t = Math.round(trainingSteps - 1 - (n > 1 ? (i * (trainingSteps - 1)) / (n - 1) : 0));
    const a = alphas[t] as number;
    out[i] = Math.sqrt((1 - a) / a);
  }
  return out;
}

/**
 * A schedule from a per-level information profile: given noise levels `grid` (decreasing) and a non-negative
 * profile (e.g. the entropy rate of each level), the n steps are placed at equal quantiles of the profile's
 * cumulative mass (inverse CDF, linear between grid points), so each step carries the same information.
 */
export function profileSigmas(grid: ArrayLike<number>, profile: ArrayLike<number>, n: number): Float64Array {
  checkSteps(n);
  checkGrid(grid, profile);
  const cumulative = cumulativeProfile(profile);
  const total = cumulative[cumulative.length - 1] as number;
  if (!(total > 0)) throw new InputError('the information profile must have positive mass');
  const out = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const target = (n > 1 ? i / (n - 1) : 0) * total;
    let j = 0;
    while (j < cumulative.length - 2 && (cumulative[j + 1] as number) < target) j++;
    const span = (cumulative[j + 1] as number) - (cumulative[j] as number);
    const t = span > 0 ? (target - (cumulative[j] as number)) / span : 0;
    out[i] = (grid[j] as number) + t * ((grid[j + 1] as number) - (grid[j] as number));
  }
  return out;
}

/**
 * Where each σ of a schedule lies in the normalised cumulative of a profile over `grid` (decreasing): 0 at the
 * grid's first (largest) level, 1 at its last, linear between grid points, clamped outside. These are the quantiles
 * the churn gate of `edmStochasticSample` reads.
 */
export function profileQuantiles(grid: ArrayLike<number>, profile: ArrayLike<number>, sigmas: ArrayLike<number>): Float64Array {
  checkGrid(grid, profile);
  const cumulative = cumulativeProfile(profile);
  const total = cumulative[cumulative.length - 1] as number;
  if (!(total > 0)) throw new InputError('the information profile must have positive mass');
  const last = grid.length - 1;
  const out = new Float64Array(sigmas.length);
  for (let i = 0; i < sigmas.length; i++) {
    const sigma = sigmas[i] as number;
    if (sigma >= (grid[0] as number)) continue;
    if (sigma <= (grid[last] as number)) {
      out[i] = 1;
      continue;
    }
    let j = 0;
    while ((grid[j + 1] as number) > sigma) j++;
    const t = ((grid[j] as number) - sigma) / ((grid[j] as number) - (grid[j + 1] as number));
    out[i] = ((cumulative[j] as number) + t * ((cumulative[j + 1] as number) - (cumulative[j] as number))) / total;
  }
  return out;
}

/** Trapezoid cumulative mass of a profile over its grid index (0 at the first level). */
export function cumulativeProfile(profile: ArrayLike<number>): Float64Array {
  const out = new Float64Array(profile.length);
  for (let i = 1; i < profile.length; i++) {
    const a = profile[i - 1] as number;
    const b = profile[i] as number;
    if (a < 0 || b < 0) throw new InputError('an information profile cannot be negative');
    out[i] = (out[i - 1] as number) + (a + b) / 2;
  }
  return out;
}

function checkGrid(grid: ArrayLike<number>, profile: ArrayLike<number>): void {
  if (grid.length !== profile.length || grid.length < 2) throw new InputError('an information profile needs a σ grid and values of the same length ≥ 2');
  for (let i = 1; i < grid.length; i++) {
    if (!((grid[i] as number) < (grid[i - 1] as number))) throw new InputError('the σ grid of a profile must be strictly decreasing');
  }
}

function checkSteps(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new InputError(`the number of steps must be a positive integer; got ${n}`);
}
