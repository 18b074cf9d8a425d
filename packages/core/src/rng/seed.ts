import { Rng } from './rng.js';

/** The random source of one run and the seed that repeats it (undefined when the caller passed an Rng). */
export interface ResolvedSeed {
  readonly rng: Rng;
  readonly seed: number | undefined;
}

/** A fresh seed in [0, 2³¹) from the platform's cryptographic source (Web Crypto, in Node and browsers). */
export function freshSeed(): number {
  return (globalThis.crypto.getRandomValues(new Uint32Array(1))[0] as number) >>> 1;
}

/**
 * What public APIs do with `seed?: number | Rng`: a number seeds a new Rng, an Rng is used as it is, and nothing
 * draws a fresh seed — never a fixed default, which would make every unseeded run the same. Report `seed` with the
 * results so that the run can be repeated.
 */
export function resolveSeed(seed: number | Rng | undefined): ResolvedSeed {
  if (seed instanceof Rng) return { rng: seed, seed: undefined };
  const used = seed ?? freshSeed();
  return { rng: Rng.seeded(used), seed: used };
}
