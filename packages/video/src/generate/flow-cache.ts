import { z } from 'zod';
import { tf, type DenoiserOutput, type FlowDenoiser } from '@nextx/core';

export const flowCacheSchema = z
  .object({
    /** Reuse while the accumulated relative L1 change of the chunk's embedded input stays under this (FlowCache's rel_l1_thresh). */
    threshold: z.number().nonnegative().default(0.01),
    /** Steps of each chunk always computed before reuse may start (FlowCache's warmup_steps). */
    warmup: z.number().int().nonnegative().default(0),
  })
  .strict();
export type FlowCacheConfig = z.infer<typeof flowCacheSchema>;
export type FlowCacheInput = z.input<typeof flowCacheSchema>;

/** Per chunk: denoiser evaluations computed and reused. */
export interface ReuseCounts {
  readonly computed: number;
  readonly reused: number;
}

/**
 * FlowCache's chunk-wise output reuse (Flow Caching for Autoregressive Video Generation, ICLR 2026; `ChunkWiseCache`
 * of the official code), one instance per chunk: each step compares the chunk's embedded input with the previous
 * step's, rel = mean|a − b| / mean|b|, accumulated; while the sum stays below the threshold the previous output
 * (x̂₀) is reused instead of running the model, otherwise the model runs and the sum restarts at 0. The first and
 * the last step of a chunk and its warm-up steps always run.
 *
 * Deviation: the official code reuses the previous step's update of the latent (the residual of the integrator);
 * here the denoiser's x̂₀ is reused and the sampler steps with it, which for the Euler sampler on an even grid is the
 * same update up to the change of t, and also works with the re-noising sampler.
 */
export class ChunkFlowCache {
  private previousFeatures: tf.Tensor | undefined;
  private previousOutput: DenoiserOutput | undefined;
  private accumulated = 0;
  private counts = { computed: 0, reused: 0 };

  constructor(
    readonly config: FlowCacheConfig,
    private readonly features: (x: tf.Tensor) => tf.Tensor,
  ) {}

  get reuse(): ReuseCounts {
    return { ...this.counts };
  }

  /** The denoiser with reuse in front of it. */
  wrap(denoise: FlowDenoiser): FlowDenoiser {
    return (input) => {
      const features = tf.keep(this.features(input.x));
      const reuse = this.shouldReuse(input.step, input.numSteps, features);
      this.previousFeatures?.dispose();
      this.previousFeatures = features;
      if (reuse && this.previousOutput) {
        this.counts.reused++;
        const { x0, logits } = this.previousOutput;
        return logits ? { x0: tf.clone(x0), logits: tf.clone(logits) } : tf.clone(x0);
      }
      this.counts.computed++;
      const out = denoise(input);
      const output = out instanceof tf.Tensor ? { x0: out } : out;
      this.forgetOutput();
      this.previousOutput = { x0: tf.keep(tf.clone(output.x0)), ...(output.logits ? { logits: tf.keep(tf.clone(output.logits)) } : {}) };
      return out;
    };
  }

  private shouldReuse(step: number, numSteps: number, features: tf.Tensor): boolean {
    const previous = this.previousFeatures;
    if (step === 0 || step === numSteps - 1 || step < this.config.warmup || !previous) {
      this.accumulated = 0;
      return false;
    }
    const rel = tf.tidy(() => tf.div(tf.mean(tf.abs(tf.sub(features, previous))), tf.add(tf.mean(tf.abs(previous)), 1e-8)));
    const value = rel.dataSync()[0] as number;
    rel.dispose();
    const total = this.accumulated + value;
    if (total < this.config.threshold) {
      this.accumulated = total;
      return true;
    }
    this.accumulated = 0;
    return false;
  }

  private forgetOutput(): void {
    if (this.previousOutput) tf.dispose([this.previousOutput.x0, ...(this.previousOutput.logits ? [this.previousOutput.logits] : [])]);
    this.previousOutput = undefined;
  }

  dispose(): void {
    this.previousFeatures?.dispose();
    this.previousFeatures = undefined;
    this.forgetOutput();
  }
}
