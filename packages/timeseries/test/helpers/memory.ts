import { fftCacheSize, tf } from '@nextx/core';

/** Live tensors, not counting core's FFT cache (twiddles kept per length until disposeFftCache, by design). */
export function liveTensors(): number {
  return tf.memory().numTensors - fftCacheSize().tensors;
}
