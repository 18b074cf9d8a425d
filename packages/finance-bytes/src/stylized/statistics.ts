/** Sample statistics of the stylized facts, each over plain arrays of numbers (population moments, ddof = 0). */

export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] as number;
  return x.length ? s / x.length : Number.NaN;
}

/** Central moment of order k. */
function centralMoment(x: ArrayLike<number>, k: number, m = mean(x)): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += ((x[i] as number) - m) ** k;
  return s / x.length;
}

export function variance(x: ArrayLike<number>): number {
  return centralMoment(x, 2);
}

/** Pearson's kurtosis m₄ / m₂² (3 for a normal distribution; the excess kurtosis is this minus 3). */
export function kurtosis(x: ArrayLike<number>): number {
  const m = mean(x);
  return centralMoment(x, 4, m) / centralMoment(x, 2, m) ** 2;
}

/** Standard deviation over mean (population std), the burstiness of inter-arrival times (1 for a Poisson process). */
export function coefficientOfVariation(x: ArrayLike<number>): number {
  return Math.sqrt(variance(x)) / mean(x);
}

/**
 * Hill's estimator of the tail index α of |x| from its k largest values:
 * α̂ = k / Σ_{i=1..k} ln(X₍ᵢ₎ / X₍ₖ₊₁₎), X₍₁₎ ≥ X₍₂₎ ≥ … the order statistics. Heavy tails have small α (returns of
 * liquid stocks: about 3, the "inverse cubic law"); a Gaussian has none (α̂ grows with the sample).
 */
export function hillTailIndex(x: ArrayLike<number>, k: number): number {
  const sorted = Array.from(x, Math.abs).filter((v) => v > 0).sort((a, b) => b - a);
  if (k < 1 || k >= sorted.length) throw new RangeError(`hillTailIndex: k = ${k} needs 1 ≤ k < ${sorted.length} non-zero values`);
  const threshold = sorted[k] as number;
  let s = 0;
  for (let i = 0; i < k; i++) s += Math.log((sorted[i] as number) / threshold);
  return k / s;
}

/** Sample autocorrelation at lags 1 … maxLag: Σ (x_t − x̄)(x_{t−k} − x̄) / Σ (x_t − x̄)². */
export function autocorrelation(x: ArrayLike<number>, maxLag: number): number[] {
  const m = mean(x);
  const d = Float64Array.from(x as ArrayLike<number>, (v) => v - m);
  let denominator = 0;
  for (const v of d) denominator += v * v;
  return Array.from({ length: maxLag }, (_, i) => {
    const lag = i + 1;
    let s = 0;
    for (let t = lag; t < d.length; t++) s += (d[t] as number) * (d[t - lag] as number);
    return s / denominator;
  });
}

/**
 * Exponent β of a power-law fit ρ(k) ≈ c·k^−β of an autocorrelation function (least squares of ln ρ on ln k over
 * the lags where ρ > 0). The ACF of |returns| of real markets decays slowly, β ≈ 0.2–0.5; an exponential decay fits
 * poorly and gives a large β.
 */
export function powerLawDecay(acf: readonly number[]): number {
  const points = acf.map((rho, i) => [Math.log(i + 1), rho] as const).filter(([, rho]) => rho > 0).map(([lk, rho]) => [lk, Math.log(rho)] as const);
  if (points.length < 2) return Number.NaN;
  const mx = mean(points.map((p) => p[0]));
  const my = mean(points.map((p) => p[1]));
  let sxy = 0;
  let sxx = 0;
  for (const [px, py] of points) {
    sxy += (px - mx) * (py - my);
    sxx += (px - mx) ** 2;
  }
  return -sxy / sxx;
}

function sortedCopy(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x as ArrayLike<number>).sort();
}

/** Two-sample Kolmogorov–Smirnov statistic sup_x |F_a(x) − F_b(x)| of the empirical distribution functions. */
export function ksDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const sa = sortedCopy(a);
  const sb = sortedCopy(b);
  let i = 0;
  let j = 0;
  let worst = 0;
  while (i < sa.length && j < sb.length) {
    const v = Math.min(sa[i] as number, sb[j] as number);
    while (i < sa.length && sa[i] === v) i++;
    while (j < sb.length && sb[j] === v) j++;
    worst = Math.max(worst, Math.abs(i / sa.length - j / sb.length));
  }
  return worst;
}

/** Wasserstein-1 (earth mover's) distance of two empirical distributions: ∫ |F_a(x) − F_b(x)| dx. */
export function wasserstein1(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const sa = sortedCopy(a);
  const sb = sortedCopy(b);
  let i = 0;
  let j = 0;
  let total = 0;
  let x = Math.min(sa[0] as number, sb[0] as number);
  while (i < sa.length || j < sb.length) {
    const next = Math.min(i < sa.length ? (sa[i] as number) : Infinity, j < sb.length ? (sb[j] as number) : Infinity);
    total += Math.abs(i / sa.length - j / sb.length) * (next - x);
    x = next;
    while (i < sa.length && sa[i] === next) i++;
    while (j < sb.length && sb[j] === next) j++;
  }
  return total;
}
