import { z } from 'zod';
import { tf } from '../tf.js';
import { parseConfig } from '../config/parse-config.js';
import type { Sampler, SamplerContext, SamplerFactory } from '../contracts/sampler.js';
import {
  divideByTemperature,
  logitBiasInPlace,
  minPInPlace,
  softmax64Into,
  repetitionPenaltyInPlace,
  topKTopPInPlace,
  type HostLogits,
  type LogitBias,
} from './logit-filters.js';

export const categoricalConfigSchema = z
  .object({
    /** Divide logits by this; 0 means greedy. */
    temperature: z.number().nonnegative().default(1),
    /** Keep the k largest logits (0 = off). */
    topK: z.number().int().nonnegative().default(0),
    /** Nucleus mass (0 = off), VAR's rule. */
    topP: z.number().min(0).max(1).default(0),
    minP: z.number().min(0).max(1).default(0),
    greedy: z.boolean().default(false),
    repetitionPenalty: z.number().positive().default(1),
    /** Ids that are never sampled (special tokens, a banned word piece). */
    bannedIds: z.array(z.number().int().nonnegative()).default([]),
  })
  .strict();
export type CategoricalConfig = z.input<typeof categoricalConfigSchema>;

/** What a categorical sampler reads: logits [N, V], each row's earlier ids, and this step's logit bias or mask. */
export interface CategoricalInput {
  readonly logits: tf.Tensor2D;
  /** Each row's already generated ids (the prefix): read by the repetition penalty and by the sampler's constraint. */
  readonly previous?: readonly (readonly number[])[];
  /** A bias or mask for this call (e.g. computed by the generator), added to the constraint's. */
  readonly bias?: LogitBias;
}

export interface LogitConstraintContext {
  /** Each row's already generated ids (empty rows when the caller gave none). */
  readonly previous: readonly (readonly number[])[];
  readonly rows: number;
  readonly vocab: number;
  /** The SamplerContext's step, when the caller gave one. */
  readonly step?: number;
}

/**
 * Constrained decoding: a function of the prefix that returns this step's additive bias or mask ([N, V] or [V]; see
 * LogitBias), or undefined for no constraint. Tensors it returns are disposed by the sampler.
 */
export type LogitConstraint = (context: LogitConstraintContext) => LogitBias | undefined;

export interface CategoricalSamplerOptions {
  readonly constraint?: LogitConstraint;
}

/** Index of the first largest value of a row (torch/numpy argmax tie rule). */
function argmaxRow(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] as number) > (row[best] as number)) best = i;
  return best;
}

/** One draw by inverse CDF over the row's softmax (float64, index order) with a float64 uniform from the Rng; `probs`: scratch of the row's length. */
function drawRow(row: Float32Array, u: number, probs: Float64Array): number {
  softmax64Into(row, probs);
  let cumulative = 0;
  let last = 0;
  for (let i = 0; i < row.length; i++) {
    if ((probs[i] as number) <= 0) continue;
    cumulative += probs[i] as number;
    last = i;
    if (u < cumulative) return i;
  }
  return last;
}

/**
 * The categorical pipeline, in this order: repetition penalty, logit bias and mask (the constraint's, the input's and
 * `bannedIds`), temperature, top-k, top-p, min-p, then a draw (inverse CDF, one `rng.uniform()` per row, in float64
 * on the host) or argmax when greedy or temperature is 0. Returns int32 ids [N]. Constraints come before the filters,
 * so top-k and top-p choose among allowed tokens only. Seeded replay is exact: the same Rng state gives the same ids.
 */
export class CategoricalSampler implements Sampler<tf.Tensor2D | CategoricalInput, Int32Array> {
  readonly name = 'categorical';
  readonly kind = 'categorical';
  readonly config: z.output<typeof categoricalConfigSchema>;
  private readonly constraint: LogitConstraint | undefined;

  constructor(config: CategoricalConfig = {}, options: CategoricalSamplerOptions = {}) {
    this.config = parseConfig(categoricalConfigSchema, config, 'categorical sampler config');
    this.constraint = options.constraint;
  }

  /** The filtered, temperature-scaled logits the draw uses (a new tensor). */
  filter(input: tf.Tensor2D | CategoricalInput, context: Partial<SamplerContext> = {}): tf.Tensor2D {
    const host = this.runPipeline(input, context);
    return tf.tensor2d(host.values, [host.rows, host.vocab]);
  }

  /** The whole pipeline on one host copy of the logits (read once; see HostLogits). */
  private runPipeline(input: tf.Tensor2D | CategoricalInput, context: Partial<SamplerContext>): HostLogits {
    const { logits, previous, bias } = input instanceof tf.Tensor ? { logits: input, previous: undefined, bias: undefined } : input;
    const [rows, vocab] = logits.shape;
    const host: HostLogits = { values: Float32Array.from(logits.dataSync() as Float32Array), rows, vocab };
    const c = this.config;
    if (previous) repetitionPenaltyInPlace(host, previous, c.repetitionPenalty);
    this.constrain(host, previous, bias, context.step);
    if (c.temperature > 0 && c.temperature !== 1) divideByTemperature(host, c.temperature);
    topKTopPInPlace(host, c.topK, c.topP);
    minPInPlace(host, c.minP);
    return host;
  }

  private constrain(host: HostLogits, previous: CategoricalInput['previous'], bias: LogitBias | undefined, step: number | undefined): void {
    const { rows, vocab } = host;
    const prefix = previous ?? Array.from({ length: rows }, () => []);
    const fromConstraint = this.constraint?.({ previous: prefix, rows, vocab, ...(step !== undefined ? { step } : {}) });
    try {
      logitBiasInPlace(host, fromConstraint, this.config.bannedIds);
      logitBiasInPlace(host, bias);
    } finally {
      if (fromConstraint instanceof tf.Tensor) fromConstraint.dispose();
    }
  }

  sample(input: tf.Tensor2D | CategoricalInput, context: SamplerContext): Int32Array {
    const { values, rows, vocab } = this.runPipeline(input, context);
    const greedy = this.config.greedy || this.config.temperature === 0;
    const out = new Int32Array(rows);
    const probs = new Float64Array(vocab);
    for (let r = 0; r < rows; r++) {
      const row = values.subarray(r * vocab, (r + 1) * vocab);
      out[r] = greedy ? argmaxRow(row) : drawRow(row, context.rng.uniform(), probs);
    }
    return out;
  }
}

export function createCategoricalSampler(config: CategoricalConfig = {}, options: CategoricalSamplerOptions = {}): CategoricalSampler {
  return new CategoricalSampler(config, options);
}

export const categoricalSamplerFactory: SamplerFactory<CategoricalConfig, tf.Tensor2D | CategoricalInput, Int32Array> = {
  name: 'categorical',
  kind: 'categorical',
  configSchema: categoricalConfigSchema as unknown as z.ZodType<CategoricalConfig>,
  create: (config) => new CategoricalSampler(config),
};
