import { z } from 'zod';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

/** Serialisable state of an Rng, for exact resume (validated when read back from a checkpoint). */
export const rngStateSchema = z.object({
  algorithm: z.literal('xoroshiro128plus'),
  state: z.array(z.number().int()).length(4),
  spareNormal: z.number().optional(),
});
export type RngState = z.infer<typeof rngStateSchema>;

/**
 * The seeded random source of nextx (ARCHITECTURE rule 6). Every sampler and initialiser takes one.
 * Backed by pure-rand's xoroshiro128+; `fork()` jumps 2^64 draws ahead so that streams never overlap.
 */
export class Rng {
  private spareNormal: number | undefined;

  private constructor(private generator: JumpableRandomGenerator) {}

  static seeded(seed: number): Rng {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng seed must be a finite number, got ${seed}`);
    // xoroshiro128+ seeded directly from a small integer starts from nearly equal states for nearby seeds (their
    // first draws are correlated), so the 128-bit state is filled by SplitMix32 from the seed, as its authors advise.
    let x = Math.trunc(seed) | 0;
    const splitmix32 = () => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) | 0;
    };
    const state = [splitmix32(), splitmix32(), splitmix32(), splitmix32()];
    return new Rng(state.every((w) => w === 0) ? xoroshiro128plus(1) : xoroshiro128plusFromState(state));
  }

  static fromState(state: RngState): Rng {
    const rng = new Rng(xoroshiro128plusFromState(state.state));
    rng.spareNormal = state.spareNormal;
    return rng;
  }

  /** Continues from a saved state in place (holders of this Rng keep their reference). */
  restore(state: RngState): void {
    this.generator = xoroshiro128plusFromState(state.state);
    this.spareNormal = state.spareNormal;
  }

  /** Generator state plus the cached second normal of the last polar draw, so a restored Rng continues exactly. */
  state(): RngState {
    return {
      algorithm: 'xoroshiro128plus',
      state: [...this.generator.getState()],
      ...(this.spareNormal !== undefined ? { spareNormal: this.spareNormal } : {}),
    };
  }

  /** An independent stream: this generator is advanced by a jump, the fork takes the old position. */
  fork(): Rng {
    const child = new Rng(this.generator.clone());
    this.generator.jump();
    return child;
  }

  /** Uniform in [0, 1), 53 random bits. */
  uniform(): number {
    return uniformFloat64(this.generator);
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return uniformInt(this.generator, min, max);
  }

  /** Standard normal (Marsaglia polar method). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const value = this.spareNormal;
      this.spareNormal = undefined;
      return value;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const factor = Math.sqrt((-2 * Math.log(s)) / s);
        this.spareNormal = v * factor;
        return u * factor;
      }
    }
  }

  /** A 31-bit integer seed for a tfjs random op (tf.randomNormal(..., seed)). */
  tfSeed(): number {
    return this.int(0, 0x7fffffff);
  }

  fillUniform(out: Float32Array): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform();
    return out;
  }

  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }
}

/** Accepts the `seed | Rng` that public APIs take. */
export function toRng(seedOrRng: number | Rng | undefined, fallbackSeed = 0): Rng {
  if (seedOrRng instanceof Rng) return seedOrRng;
  return Rng.seeded(seedOrRng ?? fallbackSeed);
}
