import type { tf } from '@nextx/core';

/** Receives named intermediates of a forward pass (for parity tests and inspection); keep what you need with tf.keep. */
export type Tap = (name: string, tensor: tf.Tensor) => void;
