export { BitwiseSampler, bitwiseConfigSchema, bitwiseSamplerFactory, type BitwiseConfig } from './bitwise-sampler.js';
export {
  CategoricalSampler,
  categoricalConfigSchema,
  categoricalSamplerFactory,
  createCategoricalSampler,
  type CategoricalConfig,
  type CategoricalInput,
  type CategoricalSamplerOptions,
  type LogitConstraint,
  type LogitConstraintContext,
} from './categorical-sampler.js';
export { guideLogits, guidanceScheduleSchema, guidanceWeight, linearGuidanceRamp, type GuidanceSchedule } from './guidance.js';
export { gumbelNoise, gumbelSoftmax } from './gumbel-softmax.js';
export {
  applyLogitBias,
  applyMinP,
  applyRepetitionPenalty,
  applyTopK,
  applyTopP,
  divideByTemperature,
  filterOnHost,
  logitBiasInPlace,
  minPInPlace,
  repetitionPenaltyInPlace,
  softmax64,
  softmaxNormaliser,
  topKInPlace,
  topPInPlace,
  topKTopPInPlace,
  type HostLogits,
  type LogitBias,
} from './logit-filters.js';
export { SamplerRegistry, defaultSamplerRegistry } from './sampler-registry.js';
export * from './diffusion/index.js';
export { resolveSampler, type ResolveSamplerOptions } from './resolve-sampler.js';
