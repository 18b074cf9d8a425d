import type { z } from 'zod';
import type { Rng } from '../rng/rng.js';

export type SamplerKind = 'categorical' | 'bitwise' | 'diffusion';

/** Where a sampler is called from: the random source and, for schedules, the step. */
export interface SamplerContext {
  readonly rng: Rng;
  /** 0-based step of a multi-step generation (a scale, a denoising step). */
  readonly step?: number;
  readonly numSteps?: number;
}

/** Turns model output into samples. `In`/`Out` depend on the kind (logits → ids, score → sample, ...). */
export interface Sampler<In = unknown, Out = unknown> {
  readonly name: string;
  readonly kind: SamplerKind;
  sample(input: In, context: SamplerContext): Out;
}

/** A named, zod-configured way to build a sampler; what the sampler registry holds. */
export interface SamplerFactory<Config = unknown, In = unknown, Out = unknown> {
  readonly name: string;
  readonly kind: SamplerKind;
  readonly configSchema: z.ZodType<Config>;
  create(config: Config): Sampler<In, Out>;
}

/** A sampler chosen by name with its config, as users and the CLI write it. */
export interface SamplerSpec {
  readonly name: string;
  readonly config?: unknown;
}
