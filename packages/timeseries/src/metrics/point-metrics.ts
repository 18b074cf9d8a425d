import { InputError } from '@nextx/core';

/**
 * Point-forecast errors over pairs (actual, forecast). A pair whose actual is missing (NaN) is skipped, never
 * propagated; a NaN forecast is an error (a model must not produce one).
 */
function pairs(actual: ArrayLike<number>, forecast: ArrayLike<number>, what: string): Array<[number, number]> {
  if (actual.length !== forecast.length) throw new InputError(`${what}: ${actual.length} actual values against ${forecast.length} forecasts`);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const f = forecast[i] as number;
    if (!Number.isFinite(f)) throw new InputError(`${what}: forecast ${i} is ${f}`);
    if (Number.isFinite(a)) out.push([a, f]);
  }
  if (out.length === 0) throw new InputError(`${what}: no observed actual value to score`);
  return out;
}

/** Mean absolute error. */
export function mae(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  const p = pairs(actual, forecast, 'MAE');
  return p.reduce((s, [a, f]) => s + Math.abs(a - f), 0) / p.length;
}

/** Root mean squared error. */
export function rmse(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  const p = pairs(actual, forecast, 'RMSE');
  return Math.sqrt(p.reduce((s, [a, f]) => s + (a - f) ** 2, 0) / p.length);
}

/**
 * Symmetric MAPE as in the M4 competition, in percent: (200/n)·Σ |a − f| / (|a| + |f|); a pair with |a| + |f| = 0 counts
 * 0 (both exactly right).
 */
export function smape(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  const p = pairs(actual, forecast, 'sMAPE');
  const sum = p.reduce((s, [a, f]) => {
    const scale = Math.abs(a) + Math.abs(f);
    return s + (scale === 0 ? 0 : Math.abs(a - f) / scale);
  }, 0);
  return (200 * sum) / p.length;
}

/**
 * The in-sample scale of MASE (Hyndman & Koehler 2006): mean |x_t − x_{t−m}| of the seasonal naive forecast over the
 * training series, pairs with a missing value skipped.
 */
export function maseScale(insample: ArrayLike<number>, seasonality = 1): number {
  let sum = 0;
  let n = 0;
  for (let t = seasonality; t < insample.length; t++) {
    const d = (insample[t] as number) - (insample[t - seasonality] as number);
    if (Number.isFinite(d)) {
      sum += Math.abs(d);
      n++;
    }
  }
  if (n === 0) throw new InputError(`MASE: the training series (${insample.length} values) has no pair ${seasonality} apart to scale by`);
  return sum / n;
}

/** Mean absolute scaled error: MAE / maseScale(insample, m). */
export function mase(actual: ArrayLike<number>, forecast: ArrayLike<number>, insample: ArrayLike<number>, seasonality = 1): number {
  const scale = maseScale(insample, seasonality);
  if (scale === 0) throw new InputError('MASE: the training series is constant at the season lag (scale 0)');
  return mae(actual, forecast) / scale;
}
