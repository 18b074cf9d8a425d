export { cumulativeProfile, karrasSigmas, profileQuantiles, profileSigmas, vpAlphasCumprod, vpSigmas } from './sigma-schedules.js';
export {
  churnSchema,
  ddimSample,
  ddpmSample,
  edmStochasticSample,
  eulerSample,
  heunSample,
  type ChurnConfig,
  type Denoiser,
  type DiffusionResult,
  type DiffusionRun,
} from './diffusion-samplers.js';
export { diffusionSamplerFactories, diffusionSamplerConfigSchema, type DiffusionSamplerConfig, type DiffusionInput } from './diffusion-sampler-factory.js';
export {
  flowEulerSample,
  flowRenoiseSample,
  flowSamplerConfigSchema,
  flowSamplerFactories,
  flowTimesteps,
  type FlowDenoiser,
  type FlowInput,
  type FlowRun,
  type FlowSamplerConfig,
  type FlowTimestepOptions,
} from './flow-matching.js';
