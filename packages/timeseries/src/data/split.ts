import { InputError } from '@nextx/core';

/** Half-open index ranges [from, to) of a series. */
export interface Range {
  readonly from: number;
  readonly to: number;
}

export interface TimeSplit {
  readonly train: Range;
  readonly valid: Range;
  readonly test: Range;
  readonly gap: number;
}

export interface TimeSplitOptions {
  /** Values at the end held out for testing: a count (≥ 1) or a fraction of the series (< 1). */
  readonly test: number;
  /** Values before the test part held out for validation (count or fraction; default none). */
  readonly valid?: number;
  /**
   * Values skipped before each held-out part, so that no training target lies next to an evaluated one (windows
   * that straddle the boundary would leak). Default 0.
   */
  readonly gap?: number;
}

const countOf = (amount: number, length: number): number => (amount < 1 ? Math.floor(amount * length) : Math.floor(amount));

/** Splits a series of `length` values by time: train, gap, valid, gap, test — in that order, nothing shuffled. */
export function splitByTime(length: number, options: TimeSplitOptions): TimeSplit {
  const gap = options.gap ?? 0;
  const test = countOf(options.test, length);
  const valid = options.valid ? countOf(options.valid, length) : 0;
  if (!Number.isInteger(gap) || gap < 0) throw new InputError(`the gap must be a whole number of steps ≥ 0; got ${gap}`);
  if (test < 1) throw new InputError(`the test part must hold at least 1 value; ${options.test} of ${length} is ${test}`);
  const trainEnd = length - test - gap - (valid > 0 ? valid + gap : 0);
  if (trainEnd < 1) throw new InputError(`a series of ${length} values leaves nothing to train on after test ${test}, valid ${valid} and gap ${gap}`);
  const validFrom = valid > 0 ? trainEnd + gap : trainEnd;
  const validTo = validFrom + valid;
  const testFrom = length - test;
  return { train: { from: 0, to: trainEnd }, valid: { from: validFrom, to: validTo }, test: { from: testFrom, to: length }, gap };
}
