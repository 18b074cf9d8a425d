import { expect } from 'vitest';
import { tf } from '@nextx/core';

/** The fixture README's acceptance (section 6): |Δ| ≤ 3e-5 + 3e-6·|ref| for floats; indices exact. */
export const ATOL = 3e-5;
export const RTOL = 3e-6;

/** Largest violation of the tolerance (≤ 0 when every element passes), and where. */
export function toleranceReport(actual: ArrayLike<number>, expected: ArrayLike<number>) {
  let worst = -Infinity;
  let at = -1;
  let maxAbs = 0;
  for (let i = 0; i < expected.length; i++) {
    const ref = expected[i] as number;
    const got = actual[i] as number;
    const diff = Math.abs(got - ref);
    const excess = Number.isNaN(diff) ? Infinity : diff - (ATOL + RTOL * Math.abs(ref));
    maxAbs = Math.max(maxAbs, Number.isNaN(diff) ? Infinity : diff);
    if (excess > worst) {
      worst = excess;
      at = i;
    }
  }
  return { worst, at, maxAbs };
}

/** Asserts same shape and every element within the fixture tolerance. */
export function expectClose(actual: tf.Tensor, expected: tf.Tensor, what: string): number {
  expect(actual.shape, `${what}: shape`).toEqual(expected.shape);
  const a = actual.dataSync();
  const e = expected.dataSync();
  const { worst, at, maxAbs } = toleranceReport(a, e);
  expect(worst, `${what}: element ${at} is ${a[at]}, expected ${e[at]} (max |Δ| ${maxAbs})`).toBeLessThanOrEqual(0);
  return maxAbs;
}

export function expectIndicesEqual(actual: tf.Tensor | ArrayLike<number>, expected: tf.Tensor, what: string): void {
  const a = actual instanceof tf.Tensor ? Array.from(actual.dataSync()) : Array.from(actual);
  expect(a, what).toEqual(Array.from(expected.dataSync()));
}

/** NCHW (fixture layout) → NHWC (ours). */
export function toNhwc(t: tf.Tensor): tf.Tensor4D {
  return tf.transpose(t, [0, 2, 3, 1]) as tf.Tensor4D;
}

/** NHWC (ours) → NCHW (fixture layout). */
export function toNchw(t: tf.Tensor): tf.Tensor4D {
  return tf.transpose(t, [0, 3, 1, 2]) as tf.Tensor4D;
}
