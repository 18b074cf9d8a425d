import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { InputError, ensureBackend, parseConfig, resolveSeed, tf, throwIfAborted, type GenerateChunk, type GenerateOptions } from '@nextx/core';
import type { VideoModel } from '../model/video-model.js';
import { cacheSpecSchema } from './cache-spec.js';
import { flowSamplerOption } from './flow-sampler-option.js';
import { flowCacheSchema, type ReuseCounts } from './flow-cache.js';
import { ChunkRollout } from './rollout.js';
import { samplingSchema } from './sampling.js';

export const videoRequestSchema = z
  .object({
    /** Frames to generate after the given ones; absent: an unbounded stream (stop it with the AbortSignal or by leaving the loop). */
    frames: z.number().int().positive().optional(),
    /** Videos generated together (each with its own context and noise). */
    batch: z.number().int().positive().default(1),
    /** Default: a rolling window with sinks, of the model's trained size. */
    cache: cacheSpecSchema.prefault({ mode: 'window' }),
    /** Default: the model's own (what it was trained for). */
    sampling: samplingSchema.optional(),
    /** FlowCache's chunk-wise reuse; off unless given. */
    flowCache: flowCacheSchema.optional(),
  })
  .strict();
export type VideoRequestInput = z.input<typeof videoRequestSchema> & {
  /**
   * The first frames of each video, [B, k, S, S] in [0, 1] (k a multiple of framesPerChunk): generation continues
   * them. Without it the first chunk is generated from nothing.
   */
  readonly context?: tf.Tensor;
};

/** One generated chunk of frames. */
export interface VideoChunk {
  /** Frames [batch, count, size, size] in [0, 1], row-major. */
  readonly frames: Float32Array;
  readonly batch: number;
  readonly count: number;
  readonly size: number;
  /** Index of this chunk's first frame in the video (the given frames count). */
  readonly firstFrame: number;
  /** FlowCache's counters for this chunk (all computed when it is off). */
  readonly reuse: ReuseCounts;
  /** Bytes of context the generation holds after this chunk (the KV cache, or the recomputed frames' tokens). */
  readonly cacheBytes: number;
  /** The seed that repeats this run (undefined when an Rng was passed). */
  readonly seed: number | undefined;
}

/**
 * Streams video chunk by chunk: each yields its frames as soon as they are decoded, for as long as asked (or without
 * end), in the memory the cache spec bounds. `signal` stops it before the next denoising step (so within one chunk);
 * leaving the loop early frees everything too.
 */
export async function* generateVideo(model: VideoModel, request: VideoRequestInput, options: GenerateOptions = {}): AsyncGenerator<GenerateChunk<VideoChunk>> {
  const { context, ...rest } = request;
  const parsed = parseConfig(videoRequestSchema, rest, 'video request');
  const { framesPerChunk } = model.config;
  const size = model.frameSize;
  if (context) checkContext(context, parsed.batch, framesPerChunk, size);
  const sampler = flowSamplerOption(options.sampler, rest.sampling);
  await ensureBackend();
  const { rng, seed } = resolveSeed(options.seed);
  const rollout = new ChunkRollout(model, {
    batch: parsed.batch,
    cache: parsed.cache,
    sampling: parsed.sampling ?? model.config.generation.sampling,
    ...(sampler ? { sampler } : {}),
    ...(parsed.flowCache ? { flowCache: parsed.flowCache } : {}),
    rng,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const total = parsed.frames;
  const chunks = total === undefined ? undefined : Math.ceil(total / framesPerChunk);
  const started = performance.now();
  try {
    throwIfAborted(options.signal);
    if (context) rollout.prefill(context);
    for (let index = 0, produced = 0; total === undefined || produced < total; index++) {
      const chunk = await rollout.next();
      const count = total === undefined ? framesPerChunk : Math.min(framesPerChunk, total - produced);
      const frames = decode(model, chunk.tokens, count);
      produced += count;
      const seconds = (performance.now() - started) / 1000;
      options.onProgress?.({
        stage: 'frames',
        completed: produced,
        ...(total === undefined ? {} : { total }),
        metrics: { framesPerSecond: (produced * parsed.batch) / Math.max(seconds, 1e-9), cacheBytes: rollout.cacheBytes },
      });
      yield {
        index,
        ...(chunks === undefined ? {} : { total: chunks }),
        final: total !== undefined && produced >= total,
        value: { frames, batch: parsed.batch, count, size, firstFrame: chunk.firstFrame, reuse: chunk.reuse, cacheBytes: rollout.cacheBytes, seed },
      };
    }
  } finally {
    rollout.dispose();
  }
}

/** The chunk's first `count` frames as host data [B, count, S, S]; disposes the tokens. */
function decode(model: VideoModel, tokens: tf.Tensor, count: number): Float32Array {
  const frames = tf.tidy(() => {
    const all = model.tokensToFrames(tokens);
    return count === all.shape[1] ? all : tf.slice(all, [0, 0, 0, 0], [-1, count, -1, -1]);
  });
  tokens.dispose();
  const data = frames.dataSync() as Float32Array;
  frames.dispose();
  return data;
}

function checkContext(context: tf.Tensor, batch: number, framesPerChunk: number, size: number): void {
  const [b, k, h, w] = context.shape;
  if (context.rank !== 4 || b !== batch || h !== size || w !== size) {
    throw new InputError(`video request: context must be [${batch}, k, ${size}, ${size}] frames; got [${context.shape}]`);
  }
  if (!k || k % framesPerChunk !== 0) throw new InputError(`video request: context holds ${k} frames; give a positive multiple of ${framesPerChunk} (frames per chunk)`);
}
