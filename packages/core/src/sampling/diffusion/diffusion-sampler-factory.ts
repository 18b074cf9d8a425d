import { z } from 'zod';
import { parseConfig } from '../../config/parse-config.js';
import type { tf } from '../../tf.js';
import type { Sampler, SamplerContext, SamplerFactory } from '../../contracts/sampler.js';
import type { Denoiser } from '../../contracts/denoiser.js';
import { churnSchema, ddimSample, ddpmSample, edmStochasticSample, eulerSample, heunSample, type DiffusionResult } from './diffusion-samplers.js';
import type { SigmaSchedule } from './noise-levels.js';
import { karrasSigmas, vpSigmas } from './sigma-schedules.js';

export const diffusionSamplerConfigSchema = z
  .object({
    steps: z.number().int().positive().default(18),
    schedule: z.enum(['karras', 'vp-cosine', 'vp-linear']).default('karras'),
    sigmaMin: z.number().positive().default(0.002),
    sigmaMax: z.number().positive().default(80),
    rho: z.number().positive().default(7),
    /** DDIM's η (ddim only). */
    eta: z.number().min(0).max(1).default(0),
    churn: churnSchema.optional(),
    selfCondition: z.boolean().default(false),
  })
  .strict();
export type DiffusionSamplerConfig = z.input<typeof diffusionSamplerConfigSchema>;

/** What a diffusion sampler reads: the denoiser and the sample shape (the Rng comes with the SamplerContext). */
export interface DiffusionInput {
  readonly denoise: Denoiser;
  readonly shape: readonly number[];
  /** A schedule of the caller's own (per token, per frame: see SigmaSchedule) instead of the config's. */
  readonly sigmas?: SigmaSchedule;
  readonly signal?: AbortSignal;
  readonly onStep?: (step: number, total: number, sigma: number) => void;
  /** Start from this x instead of σ₀·N(0, I). */
  readonly initial?: tf.Tensor;
  /** With `selfCondition`: the estimate the first evaluation gets (none when absent). */
  readonly initialSelfCondition?: tf.Tensor;
}

type Method = 'euler' | 'heun' | 'edm' | 'ddim' | 'ddpm';

function makeFactory(name: Method): SamplerFactory<DiffusionSamplerConfig, DiffusionInput, Promise<DiffusionResult>> {
  return {
    name,
    kind: 'diffusion',
    configSchema: diffusionSamplerConfigSchema as unknown as z.ZodType<DiffusionSamplerConfig>,
    create(input): Sampler<DiffusionInput, Promise<DiffusionResult>> {
      const config = parseConfig(diffusionSamplerConfigSchema, input, `sampler '${name}' config`);
      const sigmas =
        config.schedule === 'karras'
          ? karrasSigmas(config.steps, config.sigmaMin, config.sigmaMax, config.rho)
          : vpSigmas(config.schedule === 'vp-cosine' ? 'cosine' : 'linear', config.steps);
      return {
        name,
        kind: 'diffusion',
        sample(request: DiffusionInput, context: SamplerContext) {
          const run = { ...request, sigmas: request.sigmas ?? sigmas, rng: context.rng, selfCondition: config.selfCondition };
          if (name === 'euler') return eulerSample(run);
          if (name === 'heun') return heunSample(run);
          if (name === 'edm') return edmStochasticSample(run, config.churn ?? {});
          if (name === 'ddim') return ddimSample(run, config.eta);
          return ddpmSample(run);
        },
      };
    },
  };
}

/** Every diffusion sampler, by name, for the sampler registry. */
export const diffusionSamplerFactories = (['euler', 'heun', 'edm', 'ddim', 'ddpm'] as const).map(makeFactory);

