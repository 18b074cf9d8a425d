import { Rng } from '@nextx/core';

/** x_t = Σ_k φ_k x_{t−k} + ε_t, ε ~ N(0, 1), after a burn-in. */
export function simulateAr(phi: readonly number[], length: number, seed: number): Float64Array {
  const rng = Rng.seeded(seed);
  const burn = 200;
  const x = new Float64Array(length + burn);
  for (let t = 0; t < x.length; t++) {
    let v = rng.normal();
    phi.forEach((p, k) => {
      if (t - k - 1 >= 0) v += p * (x[t - k - 1] as number);
    });
    x[t] = v;
  }
  return x.slice(burn);
}
