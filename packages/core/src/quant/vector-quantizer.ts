import { z } from 'zod';
import { tf } from '../tf.js';
import { Rng } from '../rng/rng.js';
import { parseConfig } from '../config/parse-config.js';
import { l2Normalize } from '../nn/attention.js';
import { Embedding } from '../nn/embedding.js';
import { uniformInit } from '../nn/init.js';
import { Module } from '../nn/module.js';
import { stopGradient } from '../nn/stop-gradient.js';
import { codeHits, perplexity } from './code-usage.js';
import { nearestCode } from './nearest-code.js';
import { straightThrough } from './straight-through.js';

export const vectorQuantizerConfigSchema = z.object({
  numEmbeddings: z.number().int().positive(),
  embeddingDim: z.number().int().positive(),
  /** Commitment weight β. */
  beta: z.number().nonnegative().default(0.25),
  /** Search and quantize L2-normalised vectors against L2-normalised codewords (cosine similarity). */
  cosine: z.boolean().default(false),
  /** EMA codebook updates (VQ-VAE appendix A.1) instead of the codebook loss. */
  ema: z
    .object({
      decay: z.number().gt(0).lt(1).default(0.99),
      /** Laplace smoothing ε of the cluster sizes. */
      eps: z.number().positive().default(1e-5),
    })
    .optional(),
});
export type VectorQuantizerConfig = z.input<typeof vectorQuantizerConfigSchema>;

// A type alias (not an interface) so that tf.tidy accepts it as a TensorContainer.
export type VectorQuantizerOutput = {
  /** Straight-through codes, shaped like the input: forward value E[idx], gradient identity w.r.t. z. */
  readonly quantized: tf.Tensor;
  /** int32 ids, the input shape without its last axis. */
  readonly indices: tf.Tensor;
  /** commitment + codebook. */
  readonly loss: tf.Scalar;
  /** β·mean((sg(e) − z)²). */
  readonly commitmentLoss: tf.Scalar;
  /** mean((e − sg(z))²); zero in EMA mode, where the codebook follows the EMA instead. */
  readonly codebookLoss: tf.Scalar;
  /** Per-code hits in this batch, float32 [V]. */
  readonly hits: tf.Tensor1D;
  readonly perplexity: tf.Scalar;
};

/**
 * VQ-VAE vector quantizer (van den Oord et al. 2017) on vectors along the last axis: nearest codeword by the
 * expanded distance (first index on ties), straight-through estimator, loss β‖sg(e) − z‖² + ‖e − sg(z)‖².
 * The codebook is `embedding.weight` [V, C] as in torch. With `ema`, the codebook is not trained by gradient
 * (its variable is non-trainable) and follows the EMA buffers `cluster_size` [V] and `embed_avg` [V, C] in training
 * mode. Hits since the last restart are counted (non-persistent buffer) for `restartDeadCodes`.
 */
export class VectorQuantizer extends Module {
  readonly config: z.output<typeof vectorQuantizerConfigSchema>;
  readonly embedding: Embedding;
  private readonly clusterSize: tf.Variable | undefined;
  private readonly embedAvg: tf.Variable | undefined;
  private readonly hitsSinceRestart: tf.Variable;

  constructor(config: VectorQuantizerConfig, rng: Rng = Rng.seeded(0)) {
    super();
    this.config = parseConfig(vectorQuantizerConfigSchema, config, 'vector quantizer config');
    const { numEmbeddings: v, embeddingDim: c } = this.config;
    this.embedding = this.addModule('embedding', new Embedding(v, c, { rng: rng.fork() }));
    // Common VQ-VAE init: codebook ~ U(−1/V, 1/V).
    const initial = uniformInit([v, c], rng.fork(), 1 / v);
    this.embedding.weight.assign(initial);
    initial.dispose();
    if (this.config.ema) {
      this.embedding.weight.trainable = false;
      this.clusterSize = this.addBuffer('cluster_size', tf.zeros([v]));
      this.embedAvg = this.addBuffer('embed_avg', tf.clone(this.embedding.weight));
    }
    this.hitsSinceRestart = this.addBuffer('usage_hits', tf.zeros([v]), { persistent: false });
  }

  get numEmbeddings(): number {
    return this.config.numEmbeddings;
  }

  /** The codewords the search and the lookup use: `embedding.weight`, L2-normalised in cosine mode. */
  codebook(): tf.Tensor2D {
    return tf.tidy(() =>
      this.config.cosine ? (l2Normalize(this.embedding.weight) as tf.Tensor2D) : (tf.clone(this.embedding.weight) as tf.Tensor2D),
    );
  }

  /** Nearest code ids (int32) of z [..., C] → [...]. No gradient. */
  encode(z: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const flat = this.searchInput(z);
      return tf.reshape(nearestCode(flat, this.embedding.weight as tf.Tensor2D, this.config.cosine), z.shape.slice(0, -1));
    });
  }

  /** Codewords of int32 ids [...] → [..., C]. */
  lookup(ids: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const rows = tf.gather(this.codebook(), tf.reshape(ids, [-1]), 0);
      return tf.reshape(rows, [...ids.shape, this.config.embeddingDim]);
    });
  }

  forward(input: tf.Tensor): VectorQuantizerOutput {
    const { output, searched } = tf.tidy(() => {
      const zFlat = this.searchInput(input);
      // The ids leave the gradient tape: argmin has no useful gradient, and gather must not see an int32 one.
      const found = nearestCode(stopGradient(zFlat), stopGradient(this.embedding.weight) as tf.Tensor2D, this.config.cosine);
      const ids = tf.tensor1d(found.dataSync() as Int32Array, 'int32');
      const q = tf.gather(this.codebook(), ids, 0) as tf.Tensor2D;
      const commitmentLoss = tf.mul(tf.mean(tf.squaredDifference(stopGradient(q), zFlat)), this.config.beta) as tf.Scalar;
      const codebookLoss = (this.config.ema ? tf.scalar(0) : tf.mean(tf.squaredDifference(q, stopGradient(zFlat)))) as tf.Scalar;
      const hits = codeHits(ids, this.config.numEmbeddings);
      const output: VectorQuantizerOutput = {
        quantized: tf.reshape(straightThrough(zFlat, q), input.shape),
        indices: tf.reshape(ids, input.shape.slice(0, -1)),
        loss: tf.add(commitmentLoss, codebookLoss) as tf.Scalar,
        commitmentLoss,
        codebookLoss,
        hits,
        perplexity: perplexity(hits),
      };
      return { output, searched: stopGradient(zFlat) };
    });
    if (this.training) this.record(searched, output.indices, output.hits);
    searched.dispose();
    return output;
  }

  /** Hits per code since construction or the last restart/reset. */
  usage(): number[] {
    return Array.from(this.hitsSinceRestart.dataSync());
  }

  resetUsage(): void {
    const zero = tf.zerosLike(this.hitsSinceRestart);
    this.hitsSinceRestart.assign(zero);
    zero.dispose();
  }

  /**
   * Dead-code restart: every code with fewer than `minHits` hits since the last restart is re-initialised from a
   * row of `z` [..., C] drawn uniformly with `rng` (in EMA mode its EMA state restarts as one hit of that vector).
   * Live codes are left bit-for-bit unchanged. Resets the usage counts; returns the restarted ids.
   */
  restartDeadCodes(z: tf.Tensor, rng: Rng, minHits = 1): number[] {
    const hits = this.hitsSinceRestart.dataSync();
    const dead: number[] = [];
    hits.forEach((h, i) => {
      if (h < minHits) dead.push(i);
    });
    this.resetUsage();
    if (dead.length === 0) return dead;
    const { numEmbeddings: v, embeddingDim: c } = this.config;
    const rows = z.size / c;
    const source = new Int32Array(v);
    const mask = new Uint8Array(v * c);
    for (const id of dead) {
      source[id] = rng.int(0, rows - 1);
      mask.fill(1, id * c, (id + 1) * c);
    }
    const replace = (target: tf.Variable, replacement: (vectors: tf.Tensor2D) => tf.Tensor) => {
      const next = tf.tidy(() => {
        const vectors = tf.gather(tf.reshape(z, [rows, c]), tf.tensor1d(source, 'int32'), 0) as tf.Tensor2D;
        const cond = tf.tensor(mask, [v, c], 'bool');
        const full = replacement(vectors);
        return tf.where(target.rank === 1 ? tf.reshape(tf.slice(cond, [0, 0], [v, 1]), [v]) : cond, full, target);
      });
      target.assign(next);
      next.dispose();
    };
    replace(this.embedding.weight, (vectors) => vectors);
    if (this.embedAvg && this.clusterSize) {
      replace(this.embedAvg, (vectors) => vectors);
      replace(this.clusterSize, () => tf.ones([v]));
    }
    return dead;
  }

  private searchInput(z: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const flat = tf.reshape(z, [-1, this.config.embeddingDim]) as tf.Tensor2D;
      return this.config.cosine ? (l2Normalize(flat) as tf.Tensor2D) : flat;
    });
  }

  /** Training-mode bookkeeping: usage counts, and the EMA codebook update when enabled. */
  private record(searched: tf.Tensor2D, ids: tf.Tensor, hits: tf.Tensor1D): void {
    const counted = tf.add(this.hitsSinceRestart, hits);
    this.hitsSinceRestart.assign(counted);
    counted.dispose();
    if (this.config.ema) this.emaUpdate(searched, ids, hits);
  }

  /**
   * VQ-VAE appendix A.1: N ← γN + (1−γ)n, m ← γm + (1−γ)Σ z, with Laplace-smoothed sizes
   * Ñ_i = (N_i + ε)/(ΣN + V·ε)·ΣN and e_i = m_i / Ñ_i.
   */
  private emaUpdate(searched: tf.Tensor2D, ids: tf.Tensor, hits: tf.Tensor1D): void {
    const clusterSize = this.clusterSize as tf.Variable;
    const embedAvg = this.embedAvg as tf.Variable;
    const { decay, eps } = this.config.ema as { decay: number; eps: number };
    const v = this.config.numEmbeddings;
    const next = tf.tidy(() => {
      const oneHotT = tf.transpose(tf.cast(tf.oneHot(tf.reshape(ids, [-1]), v), 'float32'));
      const sums = tf.matMul(oneHotT, searched);
      const size = tf.add(tf.mul(clusterSize, decay), tf.mul(hits, 1 - decay));
      const avg = tf.add(tf.mul(embedAvg, decay), tf.mul(sums, 1 - decay));
      const total = tf.sum(size);
      const smoothed = tf.mul(tf.div(tf.add(size, eps), tf.add(total, v * eps)), total);
      return { size, avg, weight: tf.div(avg, tf.expandDims(smoothed, 1)) };
    });
    clusterSize.assign(next.size);
    embedAvg.assign(next.avg);
    this.embedding.weight.assign(next.weight);
    tf.dispose([next.size, next.avg, next.weight]);
  }
}
