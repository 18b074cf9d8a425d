import { z } from 'zod';
import type { tf } from '../tf.js';
import { parseConfig } from '../config/parse-config.js';
import type { Sampler, SamplerContext, SamplerFactory } from '../contracts/sampler.js';

export const bitwiseConfigSchema = z
  .object({
    /** 'bernoulli': each bit 1 with probability σ(logit/temperature); 'threshold': analog bits, 1 where x > 0. */
    mode: z.enum(['bernoulli', 'threshold']).default('bernoulli'),
    temperature: z.number().positive().default(1),
  })
  .strict();
export type BitwiseConfig = z.input<typeof bitwiseConfigSchema>;

/** Bits from bit logits (or analog bit values): 0/1 as a Uint8Array in the input's row-major order. */
export class BitwiseSampler implements Sampler<tf.Tensor, Uint8Array> {
  readonly name = 'bitwise';
  readonly kind = 'bitwise';
  readonly config: z.output<typeof bitwiseConfigSchema>;

  constructor(config: BitwiseConfig = {}) {
    this.config = parseConfig(bitwiseConfigSchema, config, 'bitwise sampler config');
  }

  sample(input: tf.Tensor, context: SamplerContext): Uint8Array {
    const values = input.dataSync() as Float32Array;
    const out = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const x = values[i] as number;
      if (this.config.mode === 'threshold') out[i] = x > 0 ? 1 : 0;
      else out[i] = context.rng.uniform() < 1 / (1 + Math.exp(-x / this.config.temperature)) ? 1 : 0;
    }
    return out;
  }
}

export const bitwiseSamplerFactory: SamplerFactory<BitwiseConfig, tf.Tensor, Uint8Array> = {
  name: 'bitwise',
  kind: 'bitwise',
  configSchema: bitwiseConfigSchema as unknown as z.ZodType<BitwiseConfig>,
  create: (config) => new BitwiseSampler(config),
};
