import { tf } from '@nextx/core';

/**
 * The additive attention mask of a teacher-forced sequence [clean tokens | noisy tokens] (CausVid / Self Forcing's
 * training layout): a clean token of chunk c sees the clean tokens of chunks ≤ c (what the KV cache holds when c is
 * committed), a noisy token of chunk c sees the clean tokens of chunks < c and the noisy tokens of its own chunk
 * (what a chunk being denoised sees). `clean[i]` / `noisy[j]` are the chunk indices (0, 1, …: the order of the
 * chunks in the sequence) of each token. [Lc + Ln, Lc + Ln], 0 or −∞.
 */
export function teacherForcingMask(clean: readonly number[], noisy: readonly number[]): tf.Tensor2D {
  const lc = clean.length;
  const total = lc + noisy.length;
  const values = new Float32Array(total * total).fill(-Infinity);
  for (let i = 0; i < total; i++) {
    const queryNoisy = i >= lc;
    const chunk = (queryNoisy ? noisy[i - lc] : clean[i]) as number;
    for (let j = 0; j < total; j++) {
      const keyNoisy = j >= lc;
      const keyChunk = (keyNoisy ? noisy[j - lc] : clean[j]) as number;
      const visible = queryNoisy ? (keyNoisy ? keyChunk === chunk : keyChunk < chunk) : !keyNoisy && keyChunk <= chunk;
      if (visible) values[i * total + j] = 0;
    }
  }
  return tf.tensor2d(values, [total, total]);
}

/** Chunk index of each token when `chunks` chunks of `tokensPerChunk` tokens follow each other. */
export function chunkIds(chunks: number, tokensPerChunk: number, first = 0): number[] {
  return Array.from({ length: chunks * tokensPerChunk }, (_, i) => first + Math.floor(i / tokensPerChunk));
}

/** Absolute token positions of frames `frames` (each frame's tokens in order). */
export function framePositions(frames: readonly number[], tokensPerFrame: number): number[] {
  return frames.flatMap((f) => Array.from({ length: tokensPerFrame }, (_, s) => f * tokensPerFrame + s));
}
