import { z } from 'zod';
import { tf } from '../tf.js';
import { parseConfig } from '../config/parse-config.js';
import { stopGradient } from '../nn/stop-gradient.js';

export const fsqConfigSchema = z.object({
  /** Levels per channel, e.g. [8, 5, 5, 5] (FSQ paper table 1); the codebook size is their product. */
  levels: z
    .array(z.number().int().min(2))
    .min(1)
    .refine((levels) => levels.reduce((a, b) => a * b, 1) <= 2 ** 24, 'the product of the levels must be ≤ 2^24'),
  /** Keeps tanh's bound strictly inside the outermost levels. */
  eps: z.number().positive().lt(1).default(1e-3),
});
export type FsqConfig = z.input<typeof fsqConfigSchema>;

/**
 * Finite scalar quantization (Mentzer et al. 2023) along the last axis. Channel i is bounded to L_i levels by
 * tanh(z + shift)·h − offset with h = (L−1)(1−ε)/2, offset ½ for even L (0 for odd) and shift = atanh(offset/h)
 * (so 0 maps to 0), rounded with a straight-through gradient and scaled to [−1, 1] by ⌊L/2⌋. Ids are mixed-radix
 * with channel 0 the least significant digit (basis = cumprod([1, L_0, …, L_{d−2}])).
 */
export class FSQ {
  readonly levels: readonly number[];
  readonly eps: number;
  readonly codebookSize: number;
  private readonly basis: number[];

  constructor(config: FsqConfig) {
    const parsed = parseConfig(fsqConfigSchema, config, 'FSQ config');
    this.levels = parsed.levels;
    this.eps = parsed.eps;
    this.codebookSize = this.levels.reduce((a, b) => a * b, 1);
    this.basis = this.levels.map((_, i) => this.levels.slice(0, i).reduce((a, b) => a * b, 1));
  }

  get dim(): number {
    return this.levels.length;
  }

  /** The bounded (unrounded) values, in (−⌊L/2⌋ − ½, ⌊L/2⌋ + ½) before rounding. */
  bound(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const half = this.levels.map((l) => ((l - 1) * (1 - this.eps)) / 2);
      const offset = this.levels.map((l) => (l % 2 === 0 ? 0.5 : 0));
      const shift = offset.map((o, i) => Math.atanh(o / (half[i] as number)));
      return tf.sub(tf.mul(tf.tanh(tf.add(x, tf.tensor1d(shift))), tf.tensor1d(half)), tf.tensor1d(offset));
    });
  }

  /** Codes in [−1, 1] with a straight-through rounding gradient: [..., d] → [..., d]. */
  quantize(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const bounded = this.bound(x);
      const rounded = tf.add(bounded, stopGradient(tf.sub(tf.round(bounded), bounded)));
      return tf.div(rounded, this.halfWidth());
    });
  }

  /** Codes [..., d] → int32 ids [...]. */
  codesToIndices(codes: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const digits = tf.add(tf.mul(codes, this.halfWidth()), this.halfWidth());
      return tf.cast(tf.round(tf.sum(tf.mul(digits, tf.tensor1d(this.basis)), -1)), 'int32');
    });
  }

  /** int32 ids [...] → codes [..., d] in [−1, 1]. */
  indicesToCodes(ids: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const expanded = tf.expandDims(tf.cast(ids, 'int32'), -1);
      const digits = tf.mod(tf.floorDiv(expanded, tf.tensor1d(this.basis, 'int32')), tf.tensor1d([...this.levels], 'int32'));
      const half = this.halfWidth();
      return tf.div(tf.sub(tf.cast(digits, 'float32'), half), half);
    });
  }

  /** Quantize and index in one call. */
  forward(x: tf.Tensor): { quantized: tf.Tensor; indices: tf.Tensor } {
    return tf.tidy(() => {
      const quantized = this.quantize(x);
      return { quantized, indices: this.codesToIndices(quantized) };
    });
  }

  private halfWidth(): tf.Tensor1D {
    return tf.tensor1d(this.levels.map((l) => Math.floor(l / 2)));
  }
}
