import { InputError, KVCache, flowEulerSample, flowRenoiseSample, flowTimesteps, tf, type FlowDenoiser, type Rng } from '@nextx/core';
import type { VideoModel } from '../model/video-model.js';
import { chunkIds, framePositions, teacherForcingMask } from '../model/chunk-mask.js';
import { framesBeforeChunk } from '../model/config.js';
import { chunkConditioning } from '../model/last-frame.js';
import { contextFramesOf, kvCacheOptions, resolveCacheSpec, type CacheSpec } from './cache-spec.js';
import { ChunkFlowCache, type FlowCacheConfig, type ReuseCounts } from './flow-cache.js';
import type { FlowSampler } from './flow-sampler-option.js';
import type { Sampling } from './sampling.js';
import { renoise } from '../model/frame-levels.js';

export interface RolloutOptions {
  readonly batch: number;
  readonly cache: CacheSpec;
  readonly sampling: Sampling;
  /** A flow sampler of the caller's (GenerateOptions.sampler): runs every chunk with its own schedule instead of `sampling`'s. */
  readonly sampler?: FlowSampler;
  /** Chunk-wise output reuse (FlowCache); off when absent. */
  readonly flowCache?: FlowCacheConfig;
  readonly rng: Rng;
  readonly signal?: AbortSignal;
}

export interface RolledChunk {
  /** Clean tokens [B, tokensPerChunk, tokenDim] of the chunk (the caller disposes them). */
  readonly tokens: tf.Tensor;
  /** Index of the chunk's first frame in the video. */
  readonly firstFrame: number;
  readonly reuse: ReuseCounts;
}

/**
 * Chunk-by-chunk generation of B videos at once. Each chunk starts from noise and is denoised by a flow sampler in a
 * few steps against a fixed context: with a KV cache the earlier chunks' keys and values are attended to without
 * committing during the steps, and the finished chunk is committed once, by a pass of its clean tokens at level 0
 * (Self Forcing's cache update); without one (`none`), every step recomputes the context frames with the chunk
 * under the same block-causal mask the model was trained with.
 */
export class ChunkRollout {
  private readonly cache: KVCache | undefined;
  /**
   * Per frame, for the recomputing path: the tokens [B, tokensPerFrame, tokenDim] the context attends to (noised to
   * generation.contextNoise, or the clean ones) and the clean ones (the last-frame conditioning).
   */
  private readonly frames = new Map<number, { seen: tf.Tensor; clean: tf.Tensor }>();
  private framesDone = 0;
  private chunksDone = 0;
  private readonly spec: CacheSpec;
  /** Tokens [B, n, D] of the last committed frames, most recent first (the conditioning); none at the start and after a gap. */
  private recentFrames: tf.Tensor[] = [];
  /** The video's frame 0 decoded (B × S × S), once, for a model whose motion reference moves it (motionReference 'first-frame'). */
  private firstFrame: Float32Array | undefined;

  constructor(
    private readonly model: VideoModel,
    private readonly options: RolloutOptions,
  ) {
    this.spec = resolveCacheSpec(options.cache, model.config);
    const cacheOptions = kvCacheOptions(this.spec, model.config, model.layout.tokensPerFrame, options.batch);
    this.cache = cacheOptions ? new KVCache(model.config.depth, cacheOptions) : undefined;
  }

  /** Frames generated or given so far. */
  get length(): number {
    return this.framesDone;
  }

  /** Bytes of keys and values the cache holds, or of the context tokens the recomputing path keeps. */
  get cacheBytes(): number {
    if (this.cache) return this.cache.bytes;
    return [...this.frames.values()].reduce((sum, { seen, clean }) => sum + seen.size * 4 * (seen === clean ? 1 : 2), 0);
  }

  /** Tokens per frame in the cache's first layer (for budget checks); the recomputing path's context frames. */
  get cachedFrames(): number {
    if (this.cache) return (this.cache.layer(0).tokenCount ?? 0) / this.model.layout.tokensPerFrame;
    return this.frames.size;
  }

  /** Takes given frames [B, k·framesPerChunk, S, S] in [0, 1] as the start of the videos (first-frame conditioning). */
  prefill(frames: tf.Tensor): void {
    const { framesPerChunk } = this.model.config;
    const tokens = this.model.framesToTokens(frames);
    try {
      const chunks = (frames.shape[1] as number) / framesPerChunk;
      const perChunk = this.model.layout.tokensPerChunk;
      for (let c = 0; c < chunks; c++) {
        const chunk = tf.slice(tokens, [0, c * perChunk, 0], [-1, perChunk, -1]);
        this.commit(chunk);
        chunk.dispose();
      }
    } finally {
      tokens.dispose();
    }
  }

  /** Generates the next chunk, commits it to the context and returns its clean tokens. */
  async next(): Promise<RolledChunk> {
    const { sampling } = this.options;
    const steps = this.chunksDone === 0 && this.framesDone === 0 ? (sampling.firstChunkSteps ?? sampling.steps) : sampling.steps;
    const timesteps = flowTimesteps(steps, { shift: sampling.shift });
    const firstFrame = this.framesDone;
    const flowCache = this.options.flowCache ? new ChunkFlowCache(this.options.flowCache, (x) => this.model.transformer.embedTokens(x)) : undefined;
    const prepared = this.prepareDenoiser();
    try {
      const denoise = flowCache ? flowCache.wrap(prepared.denoise) : prepared.denoise;
      const shape = [this.options.batch, this.model.layout.tokensPerChunk, this.model.layout.tokenDim];
      const signal = this.options.signal ? { signal: this.options.signal } : {};
      const rng = this.options.rng;
      const given = this.options.sampler;
      const run = { denoise, shape, timesteps, rng, ...signal };
      const { sample, nfe } = await (given ? given.sample({ denoise, shape, ...signal }, { rng }) : sampling.sampler === 'flow-euler' ? flowEulerSample(run) : flowRenoiseSample(run));
      try {
        this.commit(sample);
      } catch (error) {
        sample.dispose();
        throw error;
      }
      return { tokens: sample, firstFrame, reuse: flowCache?.reuse ?? { computed: nfe, reused: 0 } };
    } finally {
      prepared.dispose();
      flowCache?.dispose();
    }
  }

  /**
   * Continues the video at frame `frame` (a multiple of framesPerChunk, not before the current end), leaving a gap:
   * what a rolling cache with sinks holds after a long run — the first frames and recent ones — without generating
   * what lies between. Needs a KV cache (the recomputing path keeps every frame).
   */
  jumpTo(frame: number): void {
    const { framesPerChunk } = this.model.config;
    if (!this.cache) throw new InputError('ChunkRollout.jumpTo needs a KV cache');
    if (!Number.isInteger(frame) || frame < this.framesDone || frame % framesPerChunk !== 0) {
      throw new InputError(`ChunkRollout.jumpTo(${frame}): give a multiple of ${framesPerChunk} at or after frame ${this.framesDone}`);
    }
    if (frame > this.framesDone) this.forgetRecentFrames();
    this.framesDone = frame;
  }

  /**
   * Appends clean tokens [B, tokensPerChunk, tokenDim] of the next chunk to the context — noised to the model's
   * generation.contextNoise first, at that level, where it has one (the noise is drawn from the rollout's Rng, the
   * same on both paths); the last-frame conditioning keeps the clean tokens.
   */
  commit(tokens: tf.Tensor): void {
    const { framesPerChunk } = this.model.config;
    const { tokensPerFrame } = this.model.layout;
    const frames = Array.from({ length: framesPerChunk }, (_, i) => this.framesDone + i);
    const level = this.model.config.generation.contextNoise;
    const seen = level > 0 ? tf.tidy(() => renoise(tokens, tf.scalar(level), tf.tensor(this.options.rng.fillNormal(new Float32Array(tokens.size)), tokens.shape))) : tokens;
    try {
      if (this.cache) {
        tf.tidy(() => {
          const levels = tf.fill([this.options.batch, framesPerChunk], level);
          const groups = frames.flatMap((f) => Array.from({ length: tokensPerFrame }, () => f));
          const conditioning = this.conditioning();
          this.model.transformer.forward(seen, levels, {
            positions: framePositions(frames, tokensPerFrame),
            cache: this.cache,
            commit: true,
            groups,
            ...(conditioning ? { conditioning } : {}),
          });
        });
      } else {
        const frameOf = (t: tf.Tensor, i: number) => tf.keep(tf.slice(t, [0, i * tokensPerFrame, 0], [-1, tokensPerFrame, -1]));
        frames.forEach((f, i) => {
          const clean = frameOf(tokens, i);
          this.frames.set(f, { clean, seen: seen === tokens ? clean : frameOf(seen, i) });
        });
        this.forgetFrames(this.framesDone + framesPerChunk);
      }
    } finally {
      if (seen !== tokens) seen.dispose();
    }
    this.rememberRecentFrames(tokens);
    if (this.framesDone === 0 && this.model.config.motionReference === 'first-frame') {
      const decoded = tf.tidy(() => this.model.tokensToFrames(tf.slice(tokens, [0, 0, 0], [-1, this.model.layout.tokensPerFrame, -1])));
      this.firstFrame = (decoded.dataSync() as Float32Array).slice();
      decoded.dispose();
    }
    this.framesDone += framesPerChunk;
    this.chunksDone++;
  }

  /** The next chunk's last-frame conditioning [B, tokensPerChunk, D] (a tensor of the caller's scope), if the model uses it. */
  private conditioning(): tf.Tensor | undefined {
    if (!this.model.config.lastFrameConditioning) return undefined;
    const { framesPerChunk, conditioningFrames, motionCompensation } = this.model.config;
    const { tokensPerFrame, tokenDim } = this.model.layout;
    const batch = this.options.batch;
    return tf.tidy(() => {
      const last = chunkConditioning(this.recentFrames, conditioningFrames, batch, framesPerChunk, tokensPerFrame, tokenDim);
      if (!motionCompensation) return last;
      const recent = [...this.recentFrames].reverse();
      const frames = recent.map((_, i) => this.framesDone - recent.length + i);
      const references = recent.length ? this.model.motionReferences(tf.concat(recent, 1), frames, [this.framesDone], this.firstFrame) : tf.zeros([batch, framesPerChunk * tokensPerFrame, tokenDim]);
      return tf.concat([references, last], 2);
    });
  }

  /** Keeps the last frames of a committed chunk's tokens (and of the chunks before it) that the next chunk's conditioning reads. */
  private rememberRecentFrames(tokens: tf.Tensor): void {
    const { framesPerChunk } = this.model.config;
    const { tokensPerFrame } = this.model.layout;
    const needed = framesBeforeChunk(this.model.config);
    const newest = Array.from({ length: Math.min(framesPerChunk, needed) }, (_, back) =>
      tf.keep(tf.slice(tokens, [0, (framesPerChunk - 1 - back) * tokensPerFrame, 0], [-1, tokensPerFrame, -1])),
    );
    const kept = [...newest, ...this.recentFrames];
    tf.dispose(kept.slice(needed));
    this.recentFrames = kept.slice(0, needed);
  }

  private forgetRecentFrames(): void {
    tf.dispose(this.recentFrames);
    this.recentFrames = [];
  }

  /** The denoiser of the next chunk: x_t ↦ x̂₀ = x_t − t·v̂ against the context. */
  private prepareDenoiser(): { denoise: FlowDenoiser; dispose: () => void } {
    const { framesPerChunk } = this.model.config;
    const { tokensPerFrame, tokensPerChunk } = this.model.layout;
    const batch = this.options.batch;
    const frames = Array.from({ length: framesPerChunk }, (_, i) => this.framesDone + i);
    const positions = framePositions(frames, tokensPerFrame);
    const transformer = this.model.transformer;
    if (this.cache) {
      const cache = this.cache;
      const conditioning = this.conditioning();
      if (conditioning) tf.keep(conditioning);
      return {
        denoise: ({ x, t }) =>
          tf.tidy(() => {
            const levels = tf.broadcastTo(tf.reshape(t, [1, 1]), [batch, framesPerChunk]);
            const v = transformer.forward(x, levels, { positions, cache, commit: false, ...(conditioning ? { conditioning } : {}) });
            return tf.sub(x, tf.mul(t, v));
          }),
        dispose: () => conditioning?.dispose(),
      };
    }
    const contextFrames = contextFramesOf(this.spec, this.framesDone);
    const chunkOf = (f: number) => Math.floor(f / framesPerChunk);
    const cleanIds = contextFrames.flatMap((f) => Array.from({ length: tokensPerFrame }, () => chunkOf(f)));
    const mask = tf.keep(teacherForcingMask(cleanIds, chunkIds(1, tokensPerChunk, chunkOf(this.framesDone))));
    const stored = contextFrames.map((f) => this.frames.get(f) as { seen: tf.Tensor; clean: tf.Tensor });
    const context = stored.length ? tf.keep(tf.concat(stored.map((f) => f.seen), 1)) : undefined;
    // With context noise the conditioning reads the clean frames (undefined: the context itself is clean).
    const cleanContext = stored.some((f) => f.seen !== f.clean) ? tf.keep(tf.concat(stored.map((f) => f.clean), 1)) : undefined;
    const level = this.model.config.generation.contextNoise;
    const allPositions = [...framePositions(contextFrames, tokensPerFrame), ...positions];
    const contextLength = cleanIds.length;
    return {
      denoise: ({ x, t }) =>
        tf.tidy(() => {
          const levels = tf.concat([tf.fill([batch, contextFrames.length], level), tf.broadcastTo(tf.reshape(t, [1, 1]), [batch, framesPerChunk])], 1);
          const input = context ? tf.concat([context, x], 1) : x;
          // The chunk's conditioning is the context's last frame (clean), as in the cached path.
          const cleanInput = cleanContext ? tf.concat([cleanContext, x], 1) : input;
          const conditioning = this.model.conditioningOf(cleanInput, [...contextFrames, ...frames], this.firstFrame);
          const v = transformer.forward(input, levels, { positions: allPositions, mask, ...(conditioning ? { conditioning } : {}) });
          return tf.sub(x, tf.mul(t, tf.slice(v, [0, contextLength, 0], [-1, tokensPerChunk, -1])));
        }),
      dispose: () => tf.dispose([mask, ...(context ? [context] : []), ...(cleanContext ? [cleanContext] : [])]),
    };
  }

  /** Drops the recomputing path's frames that no later chunk will see. */
  private forgetFrames(framesSoFar: number): void {
    const keep = new Set(contextFramesOf(this.spec, framesSoFar));
    for (const [f, stored] of this.frames) {
      if (!keep.has(f)) {
        disposeStored(stored);
        this.frames.delete(f);
      }
    }
  }

  dispose(): void {
    this.forgetRecentFrames();
    this.cache?.dispose();
    for (const stored of this.frames.values()) disposeStored(stored);
    this.frames.clear();
  }
}

function disposeStored({ seen, clean }: { seen: tf.Tensor; clean: tf.Tensor }): void {
  clean.dispose();
  if (seen !== clean) seen.dispose();
}
