import { expect } from 'vitest';
import { tf } from '../../src/tf.js';

/** Element-wise |a − e| ≤ tol, with a readable message naming the first bad index. */
export function expectClose(actual: tf.Tensor | ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  const a = actual instanceof tf.Tensor ? actual.dataSync() : actual;
  expect(a.length).toBe(expected.length);
  for (let i = 0; i < a.length; i++) {
    const e = expected[i] as number;
    const got = a[i] as number;
    if (!(Math.abs(got - e) <= tol || (got === e))) {
      throw new Error(`index ${i}: got ${got}, expected ${e} (tol ${tol})`);
    }
  }
}

/** Deterministic pseudo-random values in [−1, 1) for fixtures. */
export function values(n: number, seed = 1): number[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

export function randomTensor(shape: number[], seed = 1): tf.Tensor {
  return tf.tensor(values(shape.reduce((a, b) => a * b, 1), seed), shape);
}

/** loadStateDict, then frees the given tensors (loading copies them). */
export function load(module: { loadStateDict(d: Record<string, tf.Tensor>): void }, dict: Record<string, tf.Tensor>): void {
  module.loadStateDict(dict);
  tf.dispose(Object.values(dict));
}
