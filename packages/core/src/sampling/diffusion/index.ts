export { cumulativeProfile, karrasSigmas, profileQuantiles, profileSigmas, vpAlphasCumprod, vpSigmas } from './sigma-schedules.js';
export {
  churnSchema,
  ddimSample,
  ddpmSample,
  edmStochasticSample,
  eulerSample,
  heunSample,
  type ChurnConfig,
  type DiffusionResult,
  type DiffusionRun,
} from './diffusion-samplers.js';
export { diffusionSamplerFactories, diffusionSamplerConfigSchema, type DiffusionSamplerConfig, type DiffusionInput } from './diffusion-sampler-factory.js';
export { NoiseLevels, type SigmaSchedule } from './noise-levels.js';
export {
  flowEulerSample,
  flowRenoiseSample,
  flowSamplerConfigSchema,
  flowSamplerFactories,
  flowTimesteps,
  type FlowDenoiser,
  type FlowDenoiserInput,
  type FlowInput,
  type FlowRun,
  type FlowSamplerConfig,
  type FlowTimestepOptions,
} from './flow-matching.js';
