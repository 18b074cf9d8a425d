import { describe, expect, it } from 'vitest';
import { tf, Linear, Rng } from '../src/index.js';
import { TEST_BACKENDS, useBackend } from './helpers/backends.js';

describe.each(TEST_BACKENDS)('Linear on %s', (backend) => {
  it('computes x·Wᵀ + b from a torch-layout state dict and frees its intermediates', async () => {
    await useBackend(backend);
    expect(tf.getBackend()).toBe(backend);
    const layer = new Linear(3, 2, { rng: Rng.seeded(1) });
    layer.loadStateDict({
      weight: tf.tensor2d([[1, 2, 3], [4, 5, 6]]),
      bias: tf.tensor1d([0.5, -1]),
    });
    const x = tf.tensor2d([[1, 0, -1]]);
    const before = tf.memory().numTensors;
    const y = layer.forward(x);
    expect(Array.from(y.dataSync())).toEqual([-1.5, -3]);
    y.dispose();
    x.dispose();
    layer.dispose();
    expect(tf.memory().numTensors).toBe(before - 1 - 2);
  });
});
