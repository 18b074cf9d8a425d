import { InputError } from '@nextx/core';

/**
 * One series in time order. `observed[t]` is 0 where the value is missing; a missing value is stored as NaN and is
 * never used by a model (windows holding one are masked out, metrics skip it), see `assertObserved`.
 */
export interface Series {
  readonly name: string;
  /** The time column's text of each row (empty when the file has none). */
  readonly time: readonly string[];
  readonly values: Float64Array;
  readonly observed: Uint8Array;
  /** Where the values came from, for error messages (file name). */
  readonly source?: string;
  /** 1-based data row in the source of each value (error messages name it). */
  readonly rows?: Uint32Array;
}

export function seriesFromValues(name: string, values: ArrayLike<number>, time: readonly string[] = []): Series {
  const v = Float64Array.from(values);
  const observed = Uint8Array.from(v, (x) => (Number.isFinite(x) ? 1 : 0));
  return { name, time, values: v, observed };
}

export function missingCount(series: Series): number {
  let n = 0;
  for (const o of series.observed) if (!o) n++;
  return n;
}

/** Describes where value t came from: "co2.csv row 12, column 'CO2'". */
export function locate(series: Series, t: number): string {
  const row = series.rows ? series.rows[t] : t + 1;
  return `${series.source ? `${series.source} ` : ''}row ${row}${series.time[t] ? ` (${series.time[t]})` : ''}, column '${series.name}'`;
}

/** Refuses a series with a missing value in [from, to), naming the first one's row and column. */
export function assertObserved(series: Series, from = 0, to = series.values.length, why = 'this step needs every value'): void {
  for (let t = from; t < to; t++) {
    if (!series.observed[t]) throw new InputError(`missing value at ${locate(series, t)}: ${why}`);
  }
}

/** Values [from, to) as a new series (time, rows and mask follow). */
export function sliceSeries(series: Series, from: number, to: number): Series {
  return {
    ...series,
    time: series.time.slice(from, to),
    values: series.values.slice(from, to),
    observed: series.observed.slice(from, to),
    ...(series.rows ? { rows: series.rows.slice(from, to) } : {}),
  };
}
