import { InputError } from '@nextx/core';
import type { Series } from './series.js';

/** Per-series standardisation z = (x − mean)/std, fitted on observed values only (missing values never enter it). */
export interface Scaler {
  readonly mean: number;
  readonly std: number;
}

/** Mean and standard deviation (population) of the observed values in [from, to); std 1 for a constant series. */
export function fitScaler(series: Series, from = 0, to = series.values.length): Scaler {
  let n = 0;
  let sum = 0;
  for (let t = from; t < to; t++) {
    if (!series.observed[t]) continue;
    n++;
    sum += series.values[t] as number;
  }
  if (n === 0) throw new InputError(`series '${series.name}' has no observed value to normalise by`);
  const mean = sum / n;
  let ss = 0;
  for (let t = from; t < to; t++) if (series.observed[t]) ss += ((series.values[t] as number) - mean) ** 2;
  const std = Math.sqrt(ss / n);
  return { mean, std: std > 0 ? std : 1 };
}

export function normaliseValues(values: ArrayLike<number>, scaler: Scaler): Float64Array {
  return Float64Array.from(values, (v) => (v - scaler.mean) / scaler.std);
}

export function denormaliseValues(values: ArrayLike<number>, scaler: Scaler): Float64Array {
  return Float64Array.from(values, (v) => v * scaler.std + scaler.mean);
}

/** The series standardised by its scaler (masked values stay masked). */
export function normaliseSeries(series: Series, scaler: Scaler): Series {
  return { ...series, values: normaliseValues(series.values, scaler) };
}
