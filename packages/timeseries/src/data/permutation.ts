import type { Rng } from '@nextx/core';

/** A uniformly random order of 0…n−1 (Fisher–Yates on the Rng): the batch order of a shuffled epoch. */
export function permutation(n: number, rng: Rng): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return order;
}
