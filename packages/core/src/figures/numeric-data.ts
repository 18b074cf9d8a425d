import { z } from 'zod';

/** What a figure takes as data: a plain array or any typed array of numbers. */
export type Numbers = ArrayLike<number>;

function isNumbers(value: unknown): value is Numbers {
  if (Array.isArray(value)) return true;
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array);
}

/**
 * A non-empty array (or typed array) of finite numbers. The first value that is not a finite number is reported
 * with its index, e.g. `series.0.y.17: must be a finite number; got NaN`; arrays are not copied.
 */
export const finiteNumbers = z
  .custom<Numbers>(isNumbers, { message: 'must be an array or typed array of numbers' })
  .superRefine((values, ctx) => {
    if (values.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'is empty: a figure needs at least one value' });
      return;
    }
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        ctx.addIssue({ code: 'custom', message: 'must be a finite number', path: [i], input: Number.isNaN(value) ? 'NaN' : value });
        return;
      }
    }
  });

/** A [low, high] pair with low < high. */
export const interval = z
  .tuple([z.number(), z.number()])
  .refine(([low, high]) => low < high, { message: 'must be [low, high] with low < high' })
  .readonly();

type Ctx = z.RefinementCtx;

/** Reports the first value ≤ 0 of `values` at `path`, for a log axis. */
export function requirePositive(values: Numbers, path: readonly (string | number)[], axis: string, ctx: Ctx): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (!(value > 0)) {
      ctx.addIssue({ code: 'custom', message: `a log ${axis} axis needs positive values`, path: [...path, i], input: value });
      return;
    }
  }
}

/** Reports `values` at `path` when its length is not `expected`. */
export function requireLength(values: Numbers | undefined, expected: number, path: readonly (string | number)[], against: string, ctx: Ctx): void {
  if (values === undefined || values.length === expected) return;
  ctx.addIssue({ code: 'custom', message: `has ${values.length} values but ${against} has ${expected}`, path: [...path] });
}

/** Smallest and largest of `values` (which are finite). */
export function extent(values: Numbers): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (value < low) low = value;
    if (value > high) high = value;
  }
  return [low, high];
}
