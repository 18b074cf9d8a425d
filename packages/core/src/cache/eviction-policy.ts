/** What a cache evicts at a time: single tokens, or whole groups (a frame, a block, a scale) that are never split. */
export type EvictionUnit = 'token' | 'group';

/** What a policy sees of one layer's cache after a commit took it over budget. */
export interface EvictionContext {
  /** Slots in the cache now, the committed chunk included (dead slots too: they hold no token). */
  readonly length: number;
  readonly numHeads: number;
  /** Absolute position of each slot, per head ([H][T]); −1 marks a dead slot that holds no token in that head. */
  readonly headPositions: readonly (readonly number[])[];
  /** Group id of each slot, per head ([H][T]): a frame, a block, a commit (heads differ after per-head plans). */
  readonly headGroups: readonly (readonly number[])[];
  /** Whether the plan must keep or drop each group whole (the cache checks it). */
  readonly unit: EvictionUnit;
  /** Attention each slot has received so far, summed over batch and queries, per head ([H][T]), when tracked. */
  readonly scores?: readonly Float32Array[];
  /**
   * How redundant each slot's key is, per head ([H][T]): its mean cosine similarity to the other live keys of that
   * head, averaged over the batch, 0 on dead slots (see `keyRedundancy`). Computed from the keys when first read,
   * so policies that do not read it cost nothing.
   */
  readonly keyRedundancy?: readonly Float32Array[];
  /** The most tokens any head may keep. */
  readonly budget: number;
}

/**
 * Which slots survive: one sorted list of slot indices shared by every head, or one list per head (heads may keep
 * different counts). Slots left out are dead from then on: masked at once, their storage reclaimed lazily.
 */
export type KeepPlan = { readonly shared: readonly number[] } | { readonly perHead: readonly (readonly number[])[] };

/** A pluggable eviction / compression rule for a LayerKVCache, applied when a commit takes it over budget. */
export interface EvictionPolicy {
  readonly name: string;
  /** Whether the cache must accumulate attention probabilities for this policy (H2O-style). */
  readonly needsScores: boolean;
  select(context: EvictionContext): KeepPlan;
}

/**
 * A cache's budget, checked after each commit: `tokens` is the most tokens a head keeps; `bytes` caps the key and
 * value storage the cache holds, counted with each tensor's own dtype (slots awaiting reclamation included). With
 * both, the smaller wins.
 */
export interface CacheBudget {
  readonly tokens?: number;
  readonly bytes?: number;
}
