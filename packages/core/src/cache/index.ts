export { LayerKVCache, type CommitOptions, type LayerKVCacheOptions } from './layer-kv-cache.js';
export { KVCache, type KVCacheOptions } from './kv-cache.js';
export { contextMask } from './context-mask.js';
export type { CacheBudget, EvictionContext, EvictionPolicy, EvictionUnit, KeepPlan } from './eviction-policy.js';
export {
  headwise,
  heavyHitter,
  importanceRedundancy,
  keepRecent,
  perHeadBudget,
  sinkAndRecent,
  type HeadwiseOptions,
  type ImportanceRedundancyOptions,
  type PerHeadBudgetOptions,
} from './eviction-policies.js';
export { keyRedundancy } from './key-redundancy.js';
