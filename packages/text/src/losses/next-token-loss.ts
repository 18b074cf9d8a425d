import { InputError, tf } from '@nextx/core';

/**
 * Per-position cross-entropy (nats) of logits [N, V] against integer targets [N], by gathering each row's target
 * log-probability from the log-softmax (no one-hot). Returns [N].
 */
export function tokenNll(logits: tf.Tensor2D, targets: Int32Array): tf.Tensor1D {
  const [rows, vocab] = logits.shape;
  if (targets.length !== rows) throw new InputError(`cross-entropy: ${rows} rows of logits but ${targets.length} targets`);
  const flat = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const t = targets[i] as number;
    if (t < 0 || t >= vocab) throw new InputError(`cross-entropy: target ${t} at position ${i} is outside the vocabulary [0, ${vocab})`);
    flat[i] = i * vocab + t;
  }
  return tf.tidy(() => tf.neg(tf.gather(tf.reshape(tf.logSoftmax(logits), [-1]), tf.tensor1d(flat, 'int32'))) as tf.Tensor1D);
}
