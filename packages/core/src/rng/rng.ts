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

  /** 32 random bits as an unsigned integer: one generator step (a float64 uniform takes two). */
  uint32(): number {
    return this.generator.next() >>> 0;
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

  /** A uniformly random order of 0…n−1 (Fisher–Yates, one uniform draw per position from the end). */
  permutation(n: number): Int32Array {
    const order = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      const t = order[i] as number;
      order[i] = order[j] as number;
      order[j] = t;
    }
    return order;
  }

  /** The values of `uniform()` called out.length times (the same stream), rounded to float32. */
  fillUniform(out: Float32Array): Float32Array {
    const g = this.generator;
    for (let i = 0; i < out.length; i++) out[i] = (g.next() & 0x3ffffff) * 2 ** -26 + (g.next() & 0x7ffffff) * 2 ** -53;
    return out;
  }

  /** The values of `normal()` called out.length times (the same stream), drawn without a call per value. */
  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    let i = 0;
    if (this.spareNormal !== undefined && out.length > 0) {
      out[i++] = mean + std * this.spareNormal;
      this.spareNormal = undefined;
    }
    const g = this.generator;
    while (i < out.length) {
      // uniformFloat64 (pure-rand) inlined: 26 + 27 bits.
      const u = 2 * ((g.next() & 0x3ffffff) * 2 ** -26 + (g.next() & 0x7ffffff) * 2 ** -53) - 1;
      const v = 2 * ((g.next() & 0x3ffffff) * 2 ** -26 + (g.next() & 0x7ffffff) * 2 ** -53) - 1;
      const s = u * u + v * v;
      if (!(s > 0 && s < 1)) continue;
      const factor = Math.sqrt((-2 * Math.log(s)) / s);
      out[i++] = mean + std * u * factor;
      if (i < out.length) out[i++] = mean + std * v * factor;
      else this.spareNormal = v * factor;
    }
    return out;
  }
}

/** Accepts the `seed | Rng` that public APIs take. */
export function toRng(seedOrRng: number | Rng | undefined, fallbackSeed = 0): Rng {
  if (seedOrRng instanceof Rng) return seedOrRng;
  return Rng.seeded(seedOrRng ?? fallbackSeed);
}
