import { z } from 'zod';
import { InputError, Rng, rngStateSchema, tf, type BatchSource, type RngState } from '@nextx/core';
import type { MovingObjects } from '../data/moving-objects.js';
import type { VideoModel } from '../model/video-model.js';
import { ChunkRollout } from '../generate/rollout.js';
import type { Sampling } from '../generate/sampling.js';
import { clipFrames, rolloutStart } from './clip-layout.js';

/** One teacher-forced batch, host data: what the loss turns into tensors. */
export interface VideoBatch {
  readonly batch: number;
  /** Frame index of each frame of the clip (the clip's layout, shared by the batch). */
  readonly frames: readonly number[];
  /** Ground-truth tokens [B, L, tokenDim] of the clip: the targets. */
  readonly clean: Float32Array;
  /** What the clip's chunks are conditioned on, [B, L, tokenDim]: the truth, or the model's own rollout (self forcing). */
  readonly context: Float32Array;
  readonly selfForced: boolean;
  /** Leading chunks of `context` that are the truth: all of them unless self-forced (then the sink, and the window's first chunk after a gap). */
  readonly trueContextChunks: number;
  /** Whether the loss conditions the chunks on the model's one-step predictions of `context`'s chunks, with gradient (see flowMatchingLoss). */
  readonly unrolled?: boolean;
}

export interface VideoBatchOptions {
  readonly batch: number;
  readonly chunksPerClip: number;
  readonly gapProbability: number;
  readonly maxGapFrames: number;
  /** Self forcing: the share of batches rolled out by the model, as a function of the optimizer step. */
  readonly selfForcing: (step: number) => number;
  /** The share of batches whose loss is unrolled one step (see flowMatchingLoss), as a function of the optimizer step; none when absent. */
  readonly unroll?: (step: number) => number;
  readonly sampling: Sampling;
  readonly seed: number;
}

const stateSchema = z.object({ rng: rngStateSchema, batches: z.number().int().nonnegative() });

/**
 * Teacher-forcing batches of moving-objects clips, encoded to tokens by the (frozen) autoencoder outside the
 * gradient scope. A self-forced batch replaces the context of every chunk after the first (see rollOut) by the model's own
 * few-step rollout from the first chunk (no gradient), through the same KV cache generation uses — the idea of Self
 * Forcing (Huang et al. 2025): train on the contexts the model will see at inference, so that long rollouts do not
 * drift. The targets stay the true continuation (see the README for how this differs from the paper's DMD loss).
 */
export class VideoBatchSource implements BatchSource<VideoBatch> {
  private rng: Rng;
  private batches = 0;

  constructor(
    private readonly model: VideoModel,
    private readonly data: MovingObjects,
    private readonly options: VideoBatchOptions,
  ) {
    this.rng = Rng.seeded(options.seed);
  }

  async next(): Promise<VideoBatch> {
    const rng = this.rng;
    const { batch, chunksPerClip } = this.options;
    const { framesPerChunk } = this.model.config;
    const frames = clipFrames(rng, chunksPerClip, framesPerChunk, this.options.gapProbability, this.options.maxGapFrames);
    const size = this.data.config.size;
    const plane = size * size;
    const pixels = new Float32Array(batch * frames.length * plane);
    for (let b = 0; b < batch; b++) {
      const sequence = this.data.sequence('train', rng.int(0, 2 ** 30), this.options.seed);
      frames.forEach((f, i) => sequence.frame(f, pixels.subarray((b * frames.length + i) * plane, (b * frames.length + i + 1) * plane)));
    }
    const selfForced = rng.uniform() < this.options.selfForcing(this.batches);
    const unrollShare = this.options.unroll?.(this.batches) ?? 0;
    // Drawn only when asked, so that a recipe without unrolling keeps its random stream.
    const unrolled = unrollShare > 0 && rng.uniform() < unrollShare;
    const clean = tf.tidy(() => this.model.framesToTokens(tf.tensor4d(pixels, [batch, frames.length, size, size])));
    try {
      const chunks = frames.length / framesPerChunk;
      const trueContextChunks = selfForced ? rolloutStart(frames, framesPerChunk) : chunks;
      const context = selfForced ? await this.rollOut(clean, frames, trueContextChunks, rng) : (clean.dataSync() as Float32Array).slice();
      this.batches += 1;
      return { batch, frames, clean: (clean.dataSync() as Float32Array).slice(), context, selfForced, trueContextChunks, ...(unrolled ? { unrolled } : {}) };
    } finally {
      clean.dispose();
    }
  }

  /**
   * The true tokens of the first chunk — and, when the window starts after a gap, of the window's first chunk too —
   * then the model's rollout of the others (at the clip's frames), as host data. After a gap the first window chunk
   * is kept true because a rollout from the sink alone would not know where the objects are now: conditioning the
   * later chunks on such a guess while their targets stay the true frames would teach the model to ignore its
   * context (the targets are the truth, not Self Forcing's distribution-matching loss). At inference the window
   * always holds the recent frames.
   */
  private async rollOut(clean: tf.Tensor, frames: readonly number[], trueChunks: number, rng: Rng): Promise<Float32Array> {
    const { tokensPerChunk } = this.model.layout;
    const { framesPerChunk } = this.model.config;
    const chunks = frames.length / framesPerChunk;
    const rollout = new ChunkRollout(this.model, { batch: this.options.batch, cache: { mode: 'full' }, sampling: this.options.sampling, rng });
    const parts: tf.Tensor[] = [];
    try {
      for (let c = 0; c < trueChunks; c++) {
        const given = tf.slice(clean, [0, c * tokensPerChunk, 0], [-1, tokensPerChunk, -1]);
        parts.push(given);
        if (c > 0) rollout.jumpTo(frames[c * framesPerChunk] as number);
        rollout.commit(given);
      }
      for (let c = trueChunks; c < chunks; c++) parts.push((await rollout.next()).tokens);
      const joined = tf.concat(parts, 1);
      const data = joined.dataSync() as Float32Array;
      joined.dispose();
      return data;
    } finally {
      tf.dispose(parts);
      rollout.dispose();
    }
  }

  state(): { rng: RngState; batches: number } {
    return { rng: this.rng.state(), batches: this.batches };
  }

  restore(state: unknown): void {
    const parsed = stateSchema.safeParse(state);
    if (!parsed.success) throw new InputError(`not a video batch-source state: ${parsed.error.message}`);
    this.rng = Rng.fromState(parsed.data.rng as RngState);
    this.batches = parsed.data.batches;
  }

  [Symbol.asyncIterator](): AsyncIterator<VideoBatch> {
    return { next: async () => ({ done: false, value: await this.next() }) };
  }
}
