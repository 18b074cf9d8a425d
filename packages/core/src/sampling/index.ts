export { BitwiseSampler, bitwiseConfigSchema, bitwiseSamplerFactory, type BitwiseConfig } from './bitwise-sampler.js';
export {
  CategoricalSampler,
  categoricalConfigSchema,
  categoricalSamplerFactory,
  createCategoricalSampler,
  type CategoricalConfig,
  type CategoricalInput,
} from './categorical-sampler.js';
export { guideLogits, guidanceScheduleSchema, guidanceWeight, linearGuidanceRamp, type GuidanceSchedule } from './guidance.js';
export { gumbelNoise, gumbelSoftmax } from './gumbel-softmax.js';
export { applyMinP, applyRepetitionPenalty, applyTopK, applyTopP, softmax64 } from './logit-filters.js';
export { SamplerRegistry, defaultSamplerRegistry } from './sampler-registry.js';
export * from './diffusion/index.js';
