import type { tf } from '../tf.js';

/**
 * Applies `steps` to `x` in order and disposes each intermediate once the next step has consumed it, so a chain of
 * full-size activations (norm → SiLU → conv → ...) holds two of them at a time instead of all of them until the
 * enclosing tf.tidy ends. `x` itself is never disposed, nor a step's result that is its own input. Safe under
 * gradient recording: tfjs keeps its own clones of what the backward pass needs.
 */
export function pipe(x: tf.Tensor, ...steps: ReadonlyArray<(t: tf.Tensor) => tf.Tensor>): tf.Tensor {
  let current = x;
  for (const step of steps) {
    const next = step(current);
    if (current !== x && next !== current) current.dispose();
    current = next;
  }
  return current;
}
