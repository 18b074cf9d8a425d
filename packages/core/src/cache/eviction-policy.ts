/** What a policy sees of one layer's cache when it is over budget. */
export interface EvictionContext {
  /** Slots in the cache now (including padding slots of per-head plans). */
  readonly length: number;
  readonly numHeads: number;
  /** Absolute position of each slot, per head ([H][T]); −1 marks a padding slot that holds no token. */
  readonly headPositions: readonly (readonly number[])[];
  /** Attention each slot has received so far, summed over batch and queries, per head ([H][T]), when tracked. */
  readonly scores?: readonly Float32Array[];
  /** The most slots any head may keep. */
  readonly budget: number;
}

/**
 * Which slots survive: one sorted list of slot indices shared by every head, or one list per head
 * (heads may keep different counts; the cache pads the shorter ones with masked slots).
 */
export type KeepPlan = { readonly shared: readonly number[] } | { readonly perHead: readonly (readonly number[])[] };

/** A pluggable eviction / compression rule for a LayerKVCache. */
export interface EvictionPolicy {
  readonly name: string;
  /** Whether the cache must accumulate attention probabilities for this policy (H2O-style). */
  readonly needsScores: boolean;
  select(context: EvictionContext): KeepPlan;
}

/** A cache's budget: in tokens (slots), in bytes of key+value storage, or both (the smaller wins). */
export interface CacheBudget {
  readonly tokens?: number;
  readonly bytes?: number;
}
