import { InputError } from '../errors.js';
import { LayerKVCache, type LayerKVCacheOptions } from './layer-kv-cache.js';

/** The same options for every layer, or one set per layer (index → options): per-layer policies and budgets. */
export type KVCacheOptions = LayerKVCacheOptions | ((layer: number) => LayerKVCacheOptions);

/** One LayerKVCache per attention layer of a model. */
export class KVCache {
  readonly layers: readonly LayerKVCache[];

  constructor(numLayers: number, options: KVCacheOptions = {}) {
    if (!Number.isInteger(numLayers) || numLayers < 0) throw new InputError(`KVCache: ${numLayers} layers`);
    this.layers = Array.from({ length: numLayers }, (_, l) => new LayerKVCache(typeof options === 'function' ? options(l) : options));
  }

  layer(index: number): LayerKVCache {
    const layer = this.layers[index];
    if (!layer) throw new InputError(`KVCache: no layer ${index} (of ${this.layers.length})`);
    return layer;
  }

  /** Slots of layer 0 (layers hold the same tokens unless their policies or budgets differ). */
  get length(): number {
    return this.layers[0]?.length ?? 0;
  }

  /** Position the next committed token gets (every layer commits the same chunks). */
  get nextPosition(): number {
    return this.layers[0]?.nextPosition ?? 0;
  }

  /** Key and value bytes over every layer, each tensor counted with its own dtype. */
  get bytes(): number {
    return this.layers.reduce((sum, layer) => sum + layer.bytes, 0);
  }

  /** Undoes the last n committed tokens in every layer (checked on every layer before any changes). */
  rollback(n: number): void {
    const short = this.layers.findIndex((layer) => !Number.isInteger(n) || n < 0 || n > layer.nextPosition);
    if (short >= 0) throw new InputError(`KVCache.rollback(${n}): layer ${short} holds ${this.layers[short]?.nextPosition} positions`);
    for (const layer of this.layers) layer.rollback(n);
  }

  /** Keeps the first `length` slots of every layer (checked on every layer before any changes). */
  truncate(length: number): void {
    const short = this.layers.findIndex((layer) => !Number.isInteger(length) || length < 0 || length > layer.length);
    if (short >= 0) throw new InputError(`KVCache.truncate(${length}): layer ${short} holds ${this.layers[short]?.length} slots`);
    for (const layer of this.layers) layer.truncate(length);
  }

  clear(): void {
    for (const layer of this.layers) layer.clear();
  }

  dispose(): void {
    for (const layer of this.layers) layer.dispose();
  }
}
