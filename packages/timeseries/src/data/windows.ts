import { InputError } from '@nextx/core';

/** Rows of lag windows and their targets, row-major: x is [n, lag], y is [n, horizon]. */
export interface Windows {
  readonly n: number;
  readonly lag: number;
  readonly horizon: number;
  readonly x: Float32Array;
  readonly y: Float32Array;
}

/**
 * Sliding windows over one series (arnet/utils_data.py `tabularize_univariate`): row i holds
 * x[i] = (s[i], …, s[i+lag−1]) (oldest first) and y[i] = (s[i+lag], …, s[i+lag+horizon−1]), i = 0…T−lag−horizon.
 * `stride` keeps every stride-th row.
 */
export function slidingWindows(series: ArrayLike<number>, lag: number, horizon: number, stride = 1): Windows {
  const n = Math.floor((series.length - lag - horizon) / stride) + 1;
  if (series.length < lag + horizon || n < 1) {
    throw new InputError(`a series of ${series.length} values is too short for windows of ${lag} lags + ${horizon} forecasts`);
  }
  const x = new Float32Array(n * lag);
  const y = new Float32Array(n * horizon);
  for (let r = 0; r < n; r++) {
    const start = r * stride;
    for (let j = 0; j < lag; j++) x[r * lag + j] = series[start + j] as number;
    for (let j = 0; j < horizon; j++) y[r * horizon + j] = series[start + lag + j] as number;
  }
  return { n, lag, horizon, x, y };
}

/** Rows [from, to) of a window set. */
export function sliceWindows(w: Windows, from: number, to: number): Windows {
  return {
    n: to - from,
    lag: w.lag,
    horizon: w.horizon,
    x: w.x.slice(from * w.lag, to * w.lag),
    y: w.y.slice(from * w.horizon, to * w.horizon),
  };
}

/**
 * The official time-ordered split (arnet/utils_data.py `split_by_p_valid`): the first int(n·(1 − validP)) rows
 * train, the rest validate.
 */
export function splitWindowsByFraction(w: Windows, validP: number): { train: Windows; valid: Windows } {
  const nTrain = Math.trunc(w.n * (1 - validP));
  return { train: sliceWindows(w, 0, nTrain), valid: sliceWindows(w, nTrain, w.n) };
}

/** arnet/utils_data.py `estimate_noise`: mean |s[t+1] − s[t]| (float64). */
export function estimateNoise(series: ArrayLike<number>): number {
  if (series.length < 2) throw new InputError('estimating the noise needs at least 2 values');
  let sum = 0;
  for (let t = 0; t + 1 < series.length; t++) sum += Math.abs((series[t + 1] as number) - (series[t] as number));
  return sum / (series.length - 1);
}

/**
 * Windows over the values [from, to) of a series with missing values masked: a window (lags and targets) that holds
 * a missing value is left out, so no NaN ever reaches a model. `dropped` counts them.
 */
export function observedWindows(
  values: ArrayLike<number>,
  observed: ArrayLike<number>,
  lag: number,
  horizon: number,
  from = 0,
  to = values.length,
): Windows & { readonly dropped: number } {
  const span = lag + horizon;
  if (to - from < span) throw new InputError(`${to - from} values are too few for windows of ${lag} lags + ${horizon} forecasts`);
  // missingBefore[t] = missing values in [from, from + t): a window is complete when its count difference is 0.
  const missingBefore = new Int32Array(to - from + 1);
  for (let t = from; t < to; t++) missingBefore[t - from + 1] = (missingBefore[t - from] as number) + (observed[t] ? 0 : 1);
  const starts: number[] = [];
  for (let s = 0; s + span <= to - from; s++) if (missingBefore[s + span] === missingBefore[s]) starts.push(s + from);
  const x = new Float32Array(starts.length * lag);
  const y = new Float32Array(starts.length * horizon);
  starts.forEach((start, r) => {
    for (let j = 0; j < lag; j++) x[r * lag + j] = values[start + j] as number;
    for (let j = 0; j < horizon; j++) y[r * horizon + j] = values[start + lag + j] as number;
  });
  return { n: starts.length, lag, horizon, x, y, dropped: to - from - span + 1 - starts.length };
}

/** Windows over D aligned series: x [n, lag, D] (lags oldest first), y [n, horizon, D], row-major. */
export interface SequenceWindows {
  readonly n: number;
  readonly lag: number;
  readonly horizon: number;
  readonly channels: number;
  readonly x: Float32Array;
  readonly y: Float32Array;
}

/**
 * Windows over [from, to) of D aligned series (the same time steps), leaving out every window in which any channel
 * has a missing value; `stride` keeps every stride-th start.
 */
export function alignedWindows(
  values: readonly ArrayLike<number>[],
  observed: readonly ArrayLike<number>[],
  lag: number,
  horizon: number,
  from: number,
  to: number,
  stride = 1,
): SequenceWindows & { readonly dropped: number } {
  const d = values.length;
  const length = to - from;
  if (length < lag + horizon) throw new InputError(`${length} values are too few for windows of ${lag} lags + ${horizon} steps`);
  const allObserved = Uint8Array.from({ length: values[0]?.length ?? 0 }, (_, t) => (observed.every((o) => o[t]) ? 1 : 0));
  const starts: number[] = [];
  const span = lag + horizon;
  let possible = 0;
  for (let s = from; s + span <= to; s += stride, possible++) {
    let ok = true;
    for (let t = s; t < s + span && ok; t++) ok = allObserved[t] === 1;
    if (ok) starts.push(s);
  }
  const x = new Float32Array(starts.length * lag * d);
  const y = new Float32Array(starts.length * horizon * d);
  starts.forEach((s, r) => {
    for (let c = 0; c < d; c++) {
      const v = values[c] as ArrayLike<number>;
      for (let t = 0; t < lag; t++) x[(r * lag + t) * d + c] = v[s + t] as number;
      for (let t = 0; t < horizon; t++) y[(r * horizon + t) * d + c] = v[s + lag + t] as number;
    }
  });
  return { n: starts.length, lag, horizon, channels: d, x, y, dropped: possible - starts.length };
}
