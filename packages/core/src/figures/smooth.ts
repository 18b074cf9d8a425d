import type { Numbers } from './numeric-data.js';

/** Exponential smoothing with bias correction (as TensorBoard's smoothing slider); `weight` 0 returns the values. */
export function smooth(values: Numbers, weight = 0.9): number[] {
  let average = 0;
  return Array.from(values, (v, i) => {
    average = weight * average + (1 - weight) * v;
    return average / (1 - weight ** (i + 1));
  });
}
