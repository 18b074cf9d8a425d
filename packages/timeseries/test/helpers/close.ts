import { expect } from 'vitest';

/** Largest violation of |got − ref| ≤ atol + rtol·|ref| (≤ 0 when every element passes), where, and max |Δ|. */
export function toleranceReport(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number) {
  let worst = -Infinity;
  let at = -1;
  let maxAbs = 0;
  for (let i = 0; i < expected.length; i++) {
    const ref = expected[i] as number;
    const diff = Math.abs((actual[i] as number) - ref);
    const excess = Number.isNaN(diff) ? Infinity : diff - (atol + rtol * Math.abs(ref));
    maxAbs = Math.max(maxAbs, Number.isNaN(diff) ? Infinity : diff);
    if (excess > worst) {
      worst = excess;
      at = i;
    }
  }
  return { worst, at, maxAbs };
}

/** Same length and every element within atol + rtol·|ref|; returns max |Δ|. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, atol: number, rtol: number): number {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const { worst, at, maxAbs } = toleranceReport(actual, expected, atol, rtol);
  expect(worst, `${what}: element ${at} is ${actual[at]}, expected ${expected[at]} (max |Δ| ${maxAbs})`).toBeLessThanOrEqual(0);
  return maxAbs;
}
