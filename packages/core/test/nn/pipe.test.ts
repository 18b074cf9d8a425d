import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { pipe } from '../../src/nn/pipe.js';
import { useBackend } from '../helpers/backends.js';

describe('pipe', () => {
  beforeAll(async () => useBackend('wasm'));

  it('frees each intermediate once consumed, never the input nor a pass-through step, and keeps gradients', () => {
    const x = tf.tensor1d([1, -2, 3]);
    const before = tf.memory().numTensors;
    const seen: tf.Tensor[] = [];
    const y = pipe(
      x,
      (t) => (seen.push(tf.mul(t, 2)), seen.at(-1) as tf.Tensor),
      (t) => t, // identity: its result is its input and must survive
      (t) => tf.relu(t),
      (t) => tf.add(t, 1),
    );
    expect(Array.from(y.dataSync())).toEqual([3, 1, 7]);
    expect(seen[0]!.isDisposed).toBe(true);
    expect(x.isDisposed).toBe(false);
    expect(tf.memory().numTensors).toBe(before + 1); // only y
    const grad = tf.grad((v: tf.Tensor) => tf.sum(pipe(v, (t) => tf.mul(t, t), (t) => tf.mul(t, 3))))(x);
    expect(Array.from(grad.dataSync())).toEqual([6, -12, 18]); // d(3v²)/dv = 6v
    tf.dispose([x, y, grad]);
  });
});
