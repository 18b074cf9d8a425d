import { InputError } from '@nextx/core';

/** The naive forecast: the last observed value, repeated. */
export function naiveForecast(context: ArrayLike<number>, horizon: number): Float64Array {
  const last = lastObserved(context, 1)[0] as number;
  return new Float64Array(horizon).fill(last);
}

/**
 * The seasonal naive forecast: the value one season (m steps) before, ŷ[n + j] = x[n − m + (j mod m)]. With m = 1 it is
 * the naive forecast.
 */
export function seasonalNaiveForecast(context: ArrayLike<number>, horizon: number, seasonality: number): Float64Array {
  if (!Number.isInteger(seasonality) || seasonality < 1) throw new InputError(`the season length must be an integer ≥ 1; got ${seasonality}`);
  const season = lastObserved(context, seasonality);
  return Float64Array.from({ length: horizon }, (_, j) => season[j % seasonality] as number);
}

/** The last m values of a context, oldest first; a missing one is taken from the season before (or refused). */
function lastObserved(context: ArrayLike<number>, m: number): Float64Array {
  const n = context.length;
  if (n < m) throw new InputError(`a context of ${n} values is shorter than the season length ${m}`);
  return Float64Array.from({ length: m }, (_, i) => {
    for (let t = n - m + i; t >= 0; t -= m) if (Number.isFinite(context[t] as number)) return context[t] as number;
    throw new InputError(`the context has no observed value at season position ${i} of ${m}`);
  });
}
