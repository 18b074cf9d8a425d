import { InputError } from '../errors.js';
import { LayerKVCache, type LayerKVCacheOptions } from './layer-kv-cache.js';

/** One LayerKVCache per attention layer of a model, with the same policy and per-layer budget. */
export class KVCache {
  readonly layers: readonly LayerKVCache[];

  constructor(numLayers: number, options: LayerKVCacheOptions = {}) {
    this.layers = Array.from({ length: numLayers }, () => new LayerKVCache(options));
  }

  layer(index: number): LayerKVCache {
    const layer = this.layers[index];
    if (!layer) throw new InputError(`KVCache: no layer ${index} (of ${this.layers.length})`);
    return layer;
  }

  /** Slots of layer 0 (all layers hold the same tokens unless their policies differ). */
  get length(): number {
    return this.layers[0]?.length ?? 0;
  }

  get nextPosition(): number {
    return this.layers[0]?.nextPosition ?? 0;
  }

  /** Key and value bytes over every layer. */
  get bytes(): number {
    return this.layers.reduce((sum, layer) => sum + layer.bytes, 0);
  }

  rollback(n: number): void {
    for (const layer of this.layers) layer.rollback(n);
  }

  truncate(length: number): void {
    for (const layer of this.layers) layer.truncate(length);
  }

  clear(): void {
    for (const layer of this.layers) layer.clear();
  }

  dispose(): void {
    for (const layer of this.layers) layer.dispose();
  }
}
