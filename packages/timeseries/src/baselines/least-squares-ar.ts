import { InputError, type Rng } from '@nextx/core';
import { observedWindows } from '../data/windows.js';

/** An AR(p) model x_t = c + Σ_k φ_k·x_{t−k} + ε_t, ε ~ N(0, σ²), fitted by ordinary least squares. */
export interface ArModel {
  readonly order: number;
  /** φ_1 … φ_p: coefficients in natural lag order (lag 1 first). */
  readonly coefficients: Float64Array;
  readonly intercept: number;
  /** Residual standard deviation (degrees of freedom n − p − 1). */
  readonly sigma: number;
  readonly rows: number;
}

/**
 * Fits AR(p) by least squares on every complete window of the series (windows touching a missing value are left
 * out), as statsmodels' `AutoReg(x, lags=p, trend='c')` conditional MLE: the normal equations XᵀX β = Xᵀy in
 * float64, solved by Cholesky (a tiny ridge, 1e-10·trace/p, only if XᵀX is numerically singular).
 */
export function fitLeastSquaresAr(values: ArrayLike<number>, order: number, observed?: ArrayLike<number>): ArModel {
  if (!Number.isInteger(order) || order < 1) throw new InputError(`the AR order must be an integer ≥ 1; got ${order}`);
  const mask = observed ?? Uint8Array.from({ length: values.length }, (_, t) => (Number.isFinite(values[t] as number) ? 1 : 0));
  const w = observedWindows(values, mask, order, 1);
  const k = order + 1;
  if (w.n < k + 1) throw new InputError(`AR(${order}) needs more than ${k} complete windows; the series has ${w.n}`);
  // Design row: [1, x_{t−1}, …, x_{t−p}] (lag 1 first); windows store lags oldest first.
  const xtx = new Float64Array(k * k);
  const xty = new Float64Array(k);
  const row = new Float64Array(k);
  for (let r = 0; r < w.n; r++) {
    row[0] = 1;
    for (let j = 1; j <= order; j++) row[j] = w.x[r * order + order - j] as number;
    const y = w.y[r] as number;
    for (let a = 0; a < k; a++) {
      const ra = row[a] as number;
      xty[a] = (xty[a] as number) + ra * y;
      for (let b = 0; b <= a; b++) xtx[a * k + b] = (xtx[a * k + b] as number) + ra * (row[b] as number);
    }
  }
  for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) xtx[a * k + b] = xtx[b * k + a] as number;
  const beta = solveSymmetric(xtx, xty, k);
  let ss = 0;
  for (let r = 0; r < w.n; r++) {
    let pred = beta[0] as number;
    for (let j = 1; j <= order; j++) pred += (beta[j] as number) * (w.x[r * order + order - j] as number);
    ss += ((w.y[r] as number) - pred) ** 2;
  }
  return { order, coefficients: beta.slice(1), intercept: beta[0] as number, sigma: Math.sqrt(ss / Math.max(1, w.n - k)), rows: w.n };
}

/** Cholesky solve of a symmetric positive (semi-)definite system, with a small ridge when it is singular. */
function solveSymmetric(a: Float64Array, b: Float64Array, n: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += a[i * n + i] as number;
  for (const ridge of [0, 1e-10, 1e-7, 1e-4]) {
    const l = cholesky(a, n, (ridge * trace) / n);
    if (!l) continue;
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = b[i] as number;
      for (let j = 0; j < i; j++) s -= (l[i * n + j] as number) * (z[j] as number);
      z[i] = s / (l[i * n + i] as number);
    }
    const x = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) {
      let s = z[i] as number;
      for (let j = i + 1; j < n; j++) s -= (l[j * n + i] as number) * (x[j] as number);
      x[i] = s / (l[i * n + i] as number);
    }
    return x;
  }
  throw new InputError('the AR normal equations are singular (a constant series?)');
}

function cholesky(a: Float64Array, n: number, ridge: number): Float64Array | undefined {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = (a[i * n + j] as number) + (i === j ? ridge : 0);
      for (let m = 0; m < j; m++) s -= (l[i * n + m] as number) * (l[j * n + m] as number);
      if (i === j) {
        if (!(s > 1e-300)) return undefined;
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / (l[j * n + j] as number);
    }
  }
  return l;
}

/** Point forecast by recursion: each step's prediction becomes the next step's lag 1. */
export function arForecast(model: ArModel, context: ArrayLike<number>, horizon: number): Float64Array {
  return arRollout(model, context, horizon, () => 0);
}

/** Sample paths: the recursion with ε ~ N(0, σ²) drawn from the Rng at every step. */
export function arSamplePaths(model: ArModel, context: ArrayLike<number>, horizon: number, samples: number, rng: Rng): Float64Array[] {
  return Array.from({ length: samples }, () => arRollout(model, context, horizon, () => model.sigma * rng.normal()));
}

function arRollout(model: ArModel, context: ArrayLike<number>, horizon: number, noise: () => number): Float64Array {
  const p = model.order;
  if (context.length < p) throw new InputError(`AR(${p}) needs a context of ${p} values; got ${context.length}`);
  const history = Float64Array.from({ length: p + horizon }, (_, i) => (i < p ? (context[context.length - p + i] as number) : 0));
  for (let i = 0; i < p; i++) if (!Number.isFinite(history[i] as number)) throw new InputError(`AR(${p}) context value ${context.length - p + i} is missing`);
  const out = new Float64Array(horizon);
  for (let j = 0; j < horizon; j++) {
    let next = model.intercept;
    for (let k = 1; k <= p; k++) next += (model.coefficients[k - 1] as number) * (history[p + j - k] as number);
    next += noise();
    history[p + j] = next;
    out[j] = next;
  }
  return out;
}
