import type { z } from 'zod';
import type { tf } from '../tf.js';
import type { Rng } from '../rng/rng.js';
import type { BackendName } from '../backend/backend-name.js';
import type { GenerateChunk, ProgressListener } from './events.js';
import type { Sampler, SamplerSpec } from './sampler.js';

export interface GenerateOptions {
  /**
   * A sampler instance, or a registered sampler by name with its config. No generator ignores it: one that draws with
   * a sampler uses it in place of its default of that kind (categorical for tokens; see `resolveSampler`) and refuses
   * one of another kind; one that draws no such samples (a forecaster's predictive paths) refuses it; both with an
   * InputError. A generator whose request also has sampling fields (VAR's topK/topP/greedy, ByteGen's temperature)
   * refuses both at once.
   */
  readonly sampler?: Sampler | SamplerSpec;
  /**
   * Seed or random source; the same seed gives the same output on the same backend. Omitted, a fresh seed is drawn
   * from a secure source (core `resolveSeed`) — never a fixed default — and the generator reports it with its results
   * (vision/var: `VarScaleResult.seed`), so that the run can be repeated.
   */
  readonly seed?: number | Rng;
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
}

/**
 * A generative model. `Req` is what a user asks for (classes, a prompt, a horizon), `Chunk` what the stream
 * yields. `init` parses the config with `configSchema` (a bad config is a ConfigError) and allocates weights.
 */
export interface Generator<Req, Chunk, Config = unknown, Batch = unknown> {
  readonly name: string;
  readonly configSchema: z.ZodType<Config>;
  init(config: unknown, options?: { readonly backend?: BackendName; readonly seed?: number }): Promise<void>;
  /** Training loss of a batch, a scalar inside the caller's tidy/gradient scope. */
  loss(batch: Batch, options?: { readonly rng?: Rng }): tf.Scalar;
  generate(request: Req, options?: GenerateOptions): AsyncIterable<GenerateChunk<Chunk>>;
  save(dir: string): Promise<void>;
  load(dir: string): Promise<void>;
  dispose(): void;
}
