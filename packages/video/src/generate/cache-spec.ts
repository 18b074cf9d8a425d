import { z } from 'zod';
import { InputError, headwise, importanceRedundancy, keepRecent, sinkAndRecent, type EvictionPolicy, type KVCacheOptions } from '@nextx/core';
import { framesBeforeChunk, type HeadRole, type VideoModelConfig } from '../model/config.js';

const frames = z.number().int().nonnegative();

/**
 * How the context of earlier chunks is kept while streaming:
 * - `none`: no KV cache — every denoising step recomputes the context frames (the sink frames and the last
 *   `windowFrames`, or all of them when `windowFrames` is absent) together with the chunk.
 * - `full`: every frame's keys and values, computed once (memory grows with the video).
 * - `window`: a rolling window of the last `windowFrames` frames plus `sinkFrames` attention sinks (the first
 *   frames), evicted frame by frame (StreamingLLM; Self Forcing's rolling cache).
 * - `compressed`: Forcing-KV's hybrid compression under the same frame budget, frame by frame: "static" heads keep the
 *   sinks and the newest frames in `staticFraction` of the budget, "dynamic" heads keep the sinks, `recentFrames`, and
 *   then the frames with the best λ·attention − (1 − λ)·key redundancy (R-KV / FlowCache scoring).
 */
export const cacheSpecSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('none'), windowFrames: frames.optional(), sinkFrames: frames.optional() }).strict(),
  z.object({ mode: z.literal('full') }).strict(),
  z.object({ mode: z.literal('window'), windowFrames: frames.optional(), sinkFrames: frames.optional() }).strict(),
  z
    .object({
      mode: z.literal('compressed'),
      windowFrames: frames.optional(),
      sinkFrames: frames.optional(),
      recentFrames: frames.default(2),
      lambda: z.number().min(0).max(1).default(0.07),
      staticFraction: z.number().gt(0).max(1).default(0.5),
    })
    .strict(),
]);
export type CacheSpec = z.infer<typeof cacheSpecSchema>;
export type CacheSpecInput = z.input<typeof cacheSpecSchema>;

/**
 * A spec with the model's defaults filled in: window and sink frames of `window` / `compressed` from the model's
 * generation defaults (a `none` spec without a window recomputes every frame).
 */
export function resolveCacheSpec(spec: CacheSpec, config: VideoModelConfig): CacheSpec {
  const sinkFrames = spec.mode === 'full' ? undefined : (spec.sinkFrames ?? config.generation.sinkFrames ?? config.framesPerChunk);
  if (spec.mode === 'window' || spec.mode === 'compressed') return { ...spec, windowFrames: spec.windowFrames ?? config.generation.windowFrames, sinkFrames };
  if (spec.mode === 'none') {
    // The recomputing path reads the conditioning frames from its context, so its window must hold them.
    const needed = framesBeforeChunk(config);
    if (spec.windowFrames !== undefined && spec.windowFrames < needed) {
      throw new InputError(`cache.windowFrames ${spec.windowFrames}: the 'none' cache must keep at least the model's ${needed} conditioning frames`);
    }
    return { ...spec, sinkFrames };
  }
  return spec;
}

/** Which frames the recomputing path keeps as context: the first `sinkFrames` and the last `windowFrames` (or all). */
export function contextFramesOf(spec: CacheSpec, framesSoFar: number): number[] {
  const all = Array.from({ length: framesSoFar }, (_, f) => f);
  if (spec.mode !== 'none' || spec.windowFrames === undefined) return all;
  const sink = Math.min(spec.sinkFrames ?? 0, framesSoFar);
  const start = Math.max(sink, framesSoFar - spec.windowFrames);
  return [...all.slice(0, sink), ...all.slice(start)];
}

/**
 * KVCache options for a spec (undefined for `none`): frame-wise eviction (group = frame), per-layer policies, and a
 * budget of (sink + window) frames in tokens and in bytes — float32 keys and values of `batch` videos — so that the
 * cache never holds more, dead slots awaiting reclamation included.
 */
export function kvCacheOptions(spec: CacheSpec, config: VideoModelConfig, tokensPerFrame: number, batch: number): KVCacheOptions | undefined {
  if (spec.mode === 'none') return undefined;
  if (spec.mode === 'full') return { policy: keepRecent() };
  const { sinkFrames = 0, windowFrames = 0 } = resolveCacheSpec(spec, config) as { sinkFrames?: number; windowFrames?: number };
  const tokens = (sinkFrames + windowFrames) * tokensPerFrame;
  const budget = { tokens, bytes: tokens * batch * 2 * config.dim * 4 };
  const sinkTokens = sinkFrames * tokensPerFrame;
  if (spec.mode === 'window') return { evictBy: 'group', budget, policy: sinkAndRecent({ sinkTokens }) };
  const roles = config.headRoles;
  return (layer: number) => {
    const layerRoles: readonly HeadRole[] = roles?.[layer] ?? Array.from({ length: config.heads }, () => 'dynamic');
    const policies: EvictionPolicy[] = layerRoles.map((role) =>
      role === 'static'
        ? sinkAndRecent({ sinkTokens })
        : importanceRedundancy({ lambda: spec.lambda, recent: spec.recentFrames * tokensPerFrame, sinkTokens }),
    );
    const fractions = layerRoles.map((role) => (role === 'static' ? spec.staticFraction : 1));
    return { evictBy: 'group', budget, policy: headwise(policies, { fractions }) };
  };
}
