export { LayerKVCache, type LayerKVCacheOptions } from './layer-kv-cache.js';
export { KVCache } from './kv-cache.js';
export type { CacheBudget, EvictionContext, EvictionPolicy, KeepPlan } from './eviction-policy.js';
export {
  heavyHitter,
  keepRecent,
  perHeadBudget,
  sinkAndRecent,
  type PerHeadBudgetOptions,
} from './eviction-policies.js';
