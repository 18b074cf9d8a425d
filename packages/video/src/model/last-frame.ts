import { tf } from '@nextx/core';

/**
 * The last-frame conditioning of a run of whole frames: every frame of chunk c gets the tokens of the `count` frames
 * just before the chunk (f₀ − 1, then f₀ − 2, …, side by side on the feature axis, as SVD-style image-to-video models
 * concatenate the conditioning frame's latents), each where that frame is in the run right before the chunk; zeros
 * where it is not (the video's start, or a chunk after a gap in a training clip).
 * tokens [B, F·n, D] of `frames` (their frame indices) → [B, F·n, count·D].
 */
export function lastFrameConditioning(tokens: tf.Tensor, frames: readonly number[], framesPerChunk: number, tokensPerFrame: number, count = 1): tf.Tensor {
  return tf.tidy(() => {
    const [batch, , dim] = tokens.shape as [number, number, number];
    const parts: tf.Tensor[] = [];
    for (let start = 0; start < frames.length; start += framesPerChunk) {
      const previous = Array.from({ length: count }, (_, back) => {
        const at = start - 1 - back;
        // The run's frames increase, so frame f₀ − 1 − back at this index means f₀ − 1 … f₀ − 1 − back are all there.
        return at >= 0 && frames[at] === (frames[start] as number) - 1 - back ? tf.slice(tokens, [0, at * tokensPerFrame, 0], [-1, tokensPerFrame, -1]) : undefined;
      });
      const frameCount = Math.min(framesPerChunk, frames.length - start);
      parts.push(tf.tile(stackFrames(previous, batch, tokensPerFrame, dim), [1, frameCount, 1]));
    }
    return parts.length === 1 ? (parts[0] as tf.Tensor) : tf.concat(parts, 1);
  });
}

/**
 * The conditioning of one chunk of `framesPerChunk` frames from the tokens [B, n, D] of the frames before it, most
 * recent first (`count` of them; missing ones — after a gap, at the start — are zeros) → [B, framesPerChunk·n, count·D].
 */
export function chunkConditioning(previous: readonly (tf.Tensor | undefined)[], count: number, batch: number, framesPerChunk: number, tokensPerFrame: number, dim: number): tf.Tensor {
  return tf.tidy(() => tf.tile(stackFrames(Array.from({ length: count }, (_, i) => previous[i]), batch, tokensPerFrame, dim), [1, framesPerChunk, 1]));
}

function stackFrames(frames: readonly (tf.Tensor | undefined)[], batch: number, tokensPerFrame: number, dim: number): tf.Tensor {
  const filled = frames.map((f) => f ?? tf.zeros([batch, tokensPerFrame, dim]));
  return filled.length === 1 ? (filled[0] as tf.Tensor) : tf.concat(filled, 2);
}
