import type { Rng } from '@nextx/core';

/**
 * Frames of one training clip: the first chunk (frames 0 … F−1, the attention sink) followed by `chunks − 1` chunks
 * that start right after it or — with probability `gapProbability` — after a gap of up to `maxGapFrames` frames, so
 * that the model learns what a rolling cache with sinks shows it after thousands of frames.
 */
export function clipFrames(rng: Rng, chunks: number, framesPerChunk: number, gapProbability: number, maxGapFrames: number): number[] {
  const gapChunks = rng.uniform() < gapProbability ? rng.int(0, Math.floor(maxGapFrames / framesPerChunk)) : 0;
  const start = framesPerChunk * (1 + gapChunks);
  const sink = Array.from({ length: framesPerChunk }, (_, i) => i);
  return [...sink, ...Array.from({ length: (chunks - 1) * framesPerChunk }, (_, i) => start + i)];
}

/**
 * The first chunk of a clip the model's own predictions may stand in for (self forcing, unrolling): the one after the
 * sink, or after the window's first chunk when the window starts after a gap — a prediction from the sink alone could
 * not know where the objects are after the gap (see VideoBatchSource).
 */
export function rolloutStart(frames: readonly number[], framesPerChunk: number): number {
  return frames[framesPerChunk] === framesPerChunk ? 1 : 2;
}
