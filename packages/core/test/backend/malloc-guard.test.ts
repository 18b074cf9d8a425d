import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { BackendError } from '../../src/errors.js';
import { useBackend } from '../helpers/backends.js';

describe('wasm allocation guard', () => {
  beforeAll(async () => useBackend('wasm'));

  it('a tensor the 4 GiB heap cannot hold is a BackendError, and the backend keeps working', () => {
    const before = tf.memory().numTensors;
    let error: unknown;
    try {
      tf.zeros([1062, 1000, 1000]); // 4.25 GB: more than a 32-bit heap can ever hold
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BackendError);
    expect(String(error)).toMatch(/out of memory: could not allocate 3\.96 GiB \(heap .* of at most 4\.00 GiB/);
    expect(tf.memory().numTensors).toBe(before);
    const y = tf.add(tf.tensor1d([1, 2]), 1);
    expect(Array.from(y.dataSync())).toEqual([2, 3]);
  });

  it('stays in place after the first allocations (emscripten rebinds its _malloc stub on first use)', () => {
    const module = (tf.findBackend('wasm') as unknown as { wasm: { _malloc(n: number): number; _free(p: number): void } }).wasm;
    for (let i = 0; i < 3; i++) module._free(module._malloc(64));
    expect(() => module._malloc(4.25e9)).toThrow(/out of memory: could not allocate 3\.96 GiB/);
  });
});
