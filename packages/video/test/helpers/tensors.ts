import { afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { initBackend, tf } from '@nextx/core';

/** In the enclosing describe: the wasm backend, and every test must leave tf.memory().numTensors where it found it. */
export function useWasmWithoutLeaks(): void {
  let baseline = 0;
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm' });
  });
  beforeEach(() => {
    baseline = tf.memory().numTensors;
  });
  afterEach(() => expect(tf.memory().numTensors).toBe(baseline));
}
