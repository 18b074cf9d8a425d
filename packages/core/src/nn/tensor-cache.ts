import { tf } from '../tf.js';

/**
 * Constant tensors built once and reused (interpolation matrices, position tables), by a caller-chosen key such as
 * `area:16:4`. At most `capacity` are kept: the least recently used one is disposed when a new key would exceed it.
 * The tensors belong to the cache — do not dispose them, and do not hold one across a `get` that may evict it — and
 * `dispose()` frees them all.
 */
export class TensorCache {
  private readonly entries = new Map<string, tf.Tensor>();

  constructor(readonly capacity = 64) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`TensorCache capacity must be a positive integer, got ${capacity}`);
  }

  get<T extends tf.Tensor>(key: string, build: () => T): T {
    const found = this.entries.get(key);
    if (found && !found.isDisposed) {
      // Re-inserting moves the key to the end of the Map's order: the most recently used.
      this.entries.delete(key);
      this.entries.set(key, found);
      return found as T;
    }
    const made = tf.keep(tf.tidy(build));
    this.entries.delete(key);
    this.entries.set(key, made);
    while (this.entries.size > this.capacity) {
      const [oldest, tensor] = this.entries.entries().next().value as [string, tf.Tensor];
      tensor.dispose();
      this.entries.delete(oldest);
    }
    return made;
  }

  get size(): number {
    return this.entries.size;
  }

  dispose(): void {
    for (const tensor of this.entries.values()) tensor.dispose();
    this.entries.clear();
  }
}
