import { tf } from '@nextx/core';

/**
 * The last-frame conditioning of a run of whole frames: every frame of chunk c gets the tokens of the frame just
 * before the chunk (frame f₀ − 1, as SVD-style image-to-video models concatenate the conditioning frame's latents),
 * when that frame is the run's previous frame; zeros for a chunk without one (the video's start, or a chunk after a
 * gap in a training clip). tokens [B, F·n, D] of `frames` (their frame indices) → [B, F·n, D].
 */
export function lastFrameConditioning(tokens: tf.Tensor, frames: readonly number[], framesPerChunk: number, tokensPerFrame: number): tf.Tensor {
  return tf.tidy(() => {
    const [batch, , dim] = tokens.shape as [number, number, number];
    const parts: tf.Tensor[] = [];
    for (let start = 0; start < frames.length; start += framesPerChunk) {
      const adjacent = start > 0 && frames[start - 1] === (frames[start] as number) - 1;
      const previous = adjacent ? tf.slice(tokens, [0, (start - 1) * tokensPerFrame, 0], [-1, tokensPerFrame, -1]) : tf.zeros([batch, tokensPerFrame, dim]);
      const count = Math.min(framesPerChunk, frames.length - start);
      parts.push(count === 1 ? previous : tf.tile(previous, [1, count, 1]));
    }
    return parts.length === 1 ? (parts[0] as tf.Tensor) : tf.concat(parts, 1);
  });
}

/** The conditioning of one chunk of `framesPerChunk` frames from its previous frame's tokens [B, n, D] (or zeros). */
export function chunkConditioning(previous: tf.Tensor | undefined, batch: number, framesPerChunk: number, tokensPerFrame: number, dim: number): tf.Tensor {
  return tf.tidy(() => (previous ? tf.tile(previous, [1, framesPerChunk, 1]) : tf.zeros([batch, framesPerChunk * tokensPerFrame, dim])));
}
