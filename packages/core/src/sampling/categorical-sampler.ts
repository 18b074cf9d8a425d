import { z } from 'zod';
import { tf } from '../tf.js';
import { parseConfig } from '../config/parse-config.js';
import type { Sampler, SamplerContext, SamplerFactory } from '../contracts/sampler.js';
import { applyMinP, applyRepetitionPenalty, applyTopK, applyTopP, softmax64 } from './logit-filters.js';

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
  })
  .strict();
export type CategoricalConfig = z.input<typeof categoricalConfigSchema>;

/** What a categorical sampler reads: logits [N, V] and, for the repetition penalty, each row's earlier ids. */
export interface CategoricalInput {
  readonly logits: tf.Tensor2D;
  readonly previous?: readonly (readonly number[])[];
}

/** Index of the first largest value of a row (torch/numpy argmax tie rule). */
function argmaxRow(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] as number) > (row[best] as number)) best = i;
  return best;
}

/** One draw by inverse CDF with a float64 uniform from the Rng. */
function drawRow(row: ArrayLike<number>, u: number): number {
  const probs = softmax64(row);
  let cumulative = 0;
  let last = 0;
  for (let i = 0; i < probs.length; i++) {
    if ((probs[i] as number) <= 0) continue;
    cumulative += probs[i] as number;
    last = i;
    if (u < cumulative) return i;
  }
  return last;
}

/**
 * The categorical pipeline, in this order: repetition penalty, temperature, top-k, top-p, min-p, then a draw (inverse
 * CDF, one `rng.uniform()` per row, in float64 on the host) or argmax when greedy or temperature is 0. Returns int32
 * ids [N]. Seeded replay is exact: the same Rng state gives the same ids.
 */
export class CategoricalSampler implements Sampler<tf.Tensor2D | CategoricalInput, Int32Array> {
  readonly name = 'categorical';
  readonly kind = 'categorical';
  readonly config: z.output<typeof categoricalConfigSchema>;

  constructor(config: CategoricalConfig = {}) {
    this.config = parseConfig(categoricalConfigSchema, config, 'categorical sampler config');
  }

  /** The filtered, temperature-scaled logits the draw uses (a new tensor). */
  filter(input: tf.Tensor2D | CategoricalInput): tf.Tensor2D {
    const { logits, previous } = input instanceof tf.Tensor ? { logits: input, previous: undefined } : input;
    const c = this.config;
    const steps: Array<(x: tf.Tensor2D) => tf.Tensor2D> = [
      (x) => (previous ? applyRepetitionPenalty(x, previous, c.repetitionPenalty) : tf.clone(x)),
      (x) => (c.temperature > 0 && c.temperature !== 1 ? (tf.div(x, c.temperature) as tf.Tensor2D) : tf.clone(x)),
      (x) => applyTopK(x, c.topK),
      (x) => applyTopP(x, c.topP),
      (x) => applyMinP(x, c.minP),
    ];
    let current = tf.clone(logits);
    for (const step of steps) {
      const next = step(current);
      current.dispose();
      current = next;
    }
    return current;
  }

  sample(input: tf.Tensor2D | CategoricalInput, context: SamplerContext): Int32Array {
    const filtered = this.filter(input);
    const [rows, vocab] = filtered.shape;
    const values = filtered.dataSync() as Float32Array;
    filtered.dispose();
    const greedy = this.config.greedy || this.config.temperature === 0;
    const out = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      const row = values.subarray(r * vocab, (r + 1) * vocab);
      out[r] = greedy ? argmaxRow(row) : drawRow(row, context.rng.uniform());
    }
    return out;
  }
}

export function createCategoricalSampler(config: CategoricalConfig = {}): CategoricalSampler {
  return new CategoricalSampler(config);
}

export const categoricalSamplerFactory: SamplerFactory<CategoricalConfig, tf.Tensor2D | CategoricalInput, Int32Array> = {
  name: 'categorical',
  kind: 'categorical',
  configSchema: categoricalConfigSchema as unknown as z.ZodType<CategoricalConfig>,
  create: (config) => new CategoricalSampler(config),
};
