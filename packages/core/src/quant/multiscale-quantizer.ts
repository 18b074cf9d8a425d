import { z } from 'zod';
import { tf } from '../tf.js';
import { parseConfig } from '../config/parse-config.js';
import { Rng } from '../rng/rng.js';
import { Embedding } from '../nn/embedding.js';
import { Module } from '../nn/module.js';
import { stopGradient } from '../nn/stop-gradient.js';
import { nearestCode } from './nearest-code.js';
import { TensorCache } from '../nn/tensor-cache.js';
import { prepareResize, resize } from './resize.js';
import { ResidualPhi } from './residual-phi.js';

/** The numeric part of {@link MultiScaleQuantizerOptions}, validated at construction. */
export const multiScaleQuantizerConfigSchema = z.object({
  vocabSize: z.number().int().positive(),
  cvae: z.number().int().positive(),
  patchNums: z.array(z.number().int().positive()).min(1),
  quantResi: z.number(),
  shareQuantResi: z.number().int().nonnegative(),
  defaultQresiCounts: z.number().int().nonnegative().optional(),
  usingZnorm: z.boolean().optional(),
  beta: z.number().nonnegative().optional(),
});

export interface MultiScaleQuantizerOptions {
  readonly vocabSize: number;
  /** Latent channels (VAR's Cvae). */
  readonly cvae: number;
  /** Side of each scale's token map, smallest first; the last equals the latent side. */
  readonly patchNums: readonly number[];
  /** ρ of φ(u) = (1 − ρ)u + ρ·conv(u). */
  readonly quantResi: number;
  /** 0: one φ per scale; 1: one shared; n > 1: n shared φ chosen by tick. */
  readonly shareQuantResi: number;
  readonly defaultQresiCounts?: number;
  /** Nearest code by cosine similarity of L2-normalised vectors instead of Euclidean distance. */
  readonly usingZnorm?: boolean;
  /** Commitment weight β. */
  readonly beta?: number;
  readonly rng?: Rng;
}

export interface MultiScaleQuantizerOutput {
  /** Straight-through f̂ (forward: the quantized latent; backward: identity to f). */
  readonly fhat: tf.Tensor4D;
  /** Mean over scales of β‖sg(f̂_k) − f‖² + ‖f̂_k − sg(f)‖² (VAR's VectorQuantizer2). */
  readonly loss: tf.Scalar;
  /** Per scale, the fraction of the vocabulary hit in this batch. */
  readonly usage: number[];
  /**
   * Per scale, the official `usages`: the percentage of codes whose `ema_vocab_hit_SV` row is ≥ margin,
   * margin = B·h·w / V · 0.08 (one process).
   */
  readonly usages: number[];
}

/**
 * VAR's multi-scale residual quantizer (`VectorQuantizer2`, fixture README 5.3–5.4) on NHWC latents [B, h, h, Cvae].
 * For scale k: z = Area_{pn_k}(r) (the last scale uses r itself), nearest codes, q = E[idx], h_k = φ_{j(k)}(Bicubic_h(q))
 * (no resize at the last scale), f̂ ← f̂ + h_k, r ← r − h_k. State-dict names as the official module:
 * `embedding.weight` [V, Cvae], `quant_resi.*`, buffer `ema_vocab_hit_SV` [S, V].
 * Every map here is NHWC; the official tensors (and the fixtures) are NCHW: transpose with [0, 2, 3, 1] going in.
 */
export class MultiScaleResidualQuantizer extends Module {
  readonly embedding: Embedding;
  readonly quantResi: ResidualPhi;
  readonly emaVocabHit: tf.Variable;
  readonly patchNums: readonly number[];
  readonly vocabSize: number;
  readonly cvae: number;
  readonly beta: number;
  private readonly cosine: boolean;
  /** The official `record_hit` counter (not saved): how many per-scale hit updates the EMA has seen. */
  private recordHit = 0;
  /** The area and bicubic matrices between the latent side and each scale's, built once at construction. */
  private readonly resizeMatrices: TensorCache;

  constructor(options: MultiScaleQuantizerOptions) {
    super();
    const { rng: given, ...config } = options;
    parseConfig(multiScaleQuantizerConfigSchema, config, 'multi-scale quantizer config');
    const rng = given ?? Rng.seeded(0);
    this.patchNums = [...options.patchNums];
    this.vocabSize = options.vocabSize;
    this.cvae = options.cvae;
    this.beta = options.beta ?? 0.25;
    this.cosine = options.usingZnorm ?? false;
    // Official init: nn.Embedding's default, codebook ~ N(0, 1). (`VectorQuantizer2.eini` would redraw it, but the
    // released code never calls it.)
    this.embedding = this.addModule('embedding', new Embedding(options.vocabSize, options.cvae, { rng: rng.fork() }));
    this.quantResi = this.addModule(
      'quant_resi',
      new ResidualPhi({
        channels: options.cvae,
        quantResi: options.quantResi,
        shareQuantResi: options.shareQuantResi,
        numScales: this.patchNums.length,
        ...(options.defaultQresiCounts !== undefined ? { defaultQresiCounts: options.defaultQresiCounts } : {}),
        rng: rng.fork(),
      }),
    );
    this.emaVocabHit = this.addBuffer('ema_vocab_hit_SV', tf.zeros([this.patchNums.length, options.vocabSize]));
    this.resizeMatrices = new TensorCache(Math.max(64, 2 * this.patchNums.length));
    const latent = this.latentSize;
    prepareResize(this.resizeMatrices, 'area', this.patchNums.map((pn) => [latent, pn] as const));
    prepareResize(this.resizeMatrices, 'bicubic', this.patchNums.map((pn) => [pn, latent] as const));
  }

  override dispose(): void {
    this.resizeMatrices.dispose();
    super.dispose();
  }

  get numScales(): number {
    return this.patchNums.length;
  }

  private get latentSize(): number {
    return this.patchNums[this.patchNums.length - 1] as number;
  }

  /** Nearest codes of a map [B, p, p, C] → int32 [B, p²] (row-major). */
  private quantizeMap(z: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const [b, p, , c] = z.shape;
      return tf.reshape(nearestCode(tf.reshape(z, [-1, c]) as tf.Tensor2D, this.embedding.weight as tf.Tensor2D, this.cosine), [b, p * p]) as tf.Tensor2D;
    });
  }

  /** h_k = φ_{j(k)}(U_k(E[idx])): the contribution of scale k's tokens [B, pn²] to f̂, at the latent size. */
  scaleContribution(scale: number, ids: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => {
      const pn = this.patchNums[scale] as number;
      return this.mapContribution(scale, tf.reshape(this.embedding.forward(ids), [ids.shape[0], pn, pn, this.cvae]) as tf.Tensor4D);
    });
  }

  /** h_k = φ_{j(k)}(U_k(q)) for a code map q [B, pn_k, pn_k, Cvae]. */
  private mapContribution(scale: number, q: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const up = scale === this.numScales - 1 ? q : resize(q, this.latentSize, 'bicubic', this.resizeMatrices);
      return this.quantResi.forward(up, scale);
    });
  }

  /** The input of scale k's nearest-code search: Area_{pn_k}(r), or r itself at the last scale. */
  private scaleInput(scale: number, rest: tf.Tensor4D): tf.Tensor4D {
    return scale === this.numScales - 1 ? tf.clone(rest) : resize(rest, this.patchNums[scale] as number, 'area', this.resizeMatrices);
  }

  /** Runs the residual loop; `visit` sees each scale's ids and the accumulated f̂ (tensors owned by the loop). */
  private residualLoop(f: tf.Tensor4D, visit: (scale: number, ids: tf.Tensor2D, fhat: tf.Tensor4D) => void): void {
    let rest = tf.clone(f);
    let fhat = tf.zerosLike(f);
    try {
      for (let k = 0; k < this.numScales; k++) {
        const ids = tf.tidy(() => this.quantizeMap(this.scaleInput(k, rest)));
        const h = this.scaleContribution(k, ids);
        const nextFhat = tf.add(fhat, h) as tf.Tensor4D;
        const nextRest = tf.sub(rest, h) as tf.Tensor4D;
        tf.dispose([fhat, rest, h]);
        fhat = nextFhat;
        rest = nextRest;
        visit(k, ids, fhat);
        ids.dispose();
      }
    } finally {
      tf.dispose([rest, fhat]);
    }
  }

  /** Official `f_to_idxBl_or_fhat(f, to_fhat=False)`: per-scale token ids, int32 [B, pn_k²]. */
  encodeIndices(f: tf.Tensor4D): tf.Tensor2D[] {
    const out: tf.Tensor2D[] = [];
    this.residualLoop(f, (_k, ids) => out.push(tf.clone(ids)));
    return out;
  }

  /** Official `f_to_idxBl_or_fhat(f, to_fhat=True)`: the accumulated f̂ after each scale. */
  fhatPerScale(f: tf.Tensor4D): tf.Tensor4D[] {
    const out: tf.Tensor4D[] = [];
    this.residualLoop(f, (_k, _ids, fhat) => out.push(tf.clone(fhat)));
    return out;
  }

  /** Official `embed_to_fhat(..., last_one=True)`: f̂ = Σ_k h_k from the tokens alone, accumulated in order from 0. */
  indicesToFhat(indices: readonly tf.Tensor2D[]): tf.Tensor4D {
    return tf.tidy(() => {
      const b = (indices[0] as tf.Tensor2D).shape[0];
      let fhat = tf.zeros([b, this.latentSize, this.latentSize, this.cvae]) as tf.Tensor4D;
      indices.forEach((ids, k) => {
        fhat = tf.add(fhat, this.scaleContribution(k, ids));
      });
      return fhat;
    });
  }

  /**
   * Official `idxBl_to_var_input`: VAR's teacher-forcing input, the concatenation over k < S−1 of
   * Area_{pn_{k+1}}(f̂_k) flattened row-major → [B, L − pn_0², Cvae].
   */
  indicesToVarInput(indices: readonly tf.Tensor2D[]): tf.Tensor3D {
    return tf.tidy(() => {
      const b = (indices[0] as tf.Tensor2D).shape[0];
      let fhat = tf.zeros([b, this.latentSize, this.latentSize, this.cvae]) as tf.Tensor4D;
      const parts: tf.Tensor[] = [];
      for (let k = 0; k < this.numScales - 1; k++) {
        fhat = tf.add(fhat, this.scaleContribution(k, indices[k] as tf.Tensor2D));
        const next = this.patchNums[k + 1] as number;
        parts.push(tf.reshape(resize(fhat, next, 'area', this.resizeMatrices), [b, next * next, this.cvae]));
      }
      return tf.concat(parts, 1) as tf.Tensor3D;
    });
  }

  /**
   * One generation step (official `get_next_autoregressive_input`): f̂ + φ_{j(k)}(Bicubic_h(h)) (no resize at the last
   * scale) and, before the last scale, the next scale's input Area_{pn_{k+1}}(f̂) [B, pn_{k+1}, pn_{k+1}, Cvae].
   * `h` is either scale k's sampled ids, int32 [B, pn_k²], or the code map itself [B, pn_k, pn_k, Cvae] (the official
   * h_BChw in NHWC, e.g. the `more_smooth` soft mixture of codewords).
   */
  nextAutoregressiveInput(scale: number, fhat: tf.Tensor4D, h: tf.Tensor2D | tf.Tensor4D): { fhat: tf.Tensor4D; next?: tf.Tensor4D } {
    return tf.tidy(() => {
      const contribution = h.rank === 2 ? this.scaleContribution(scale, h as tf.Tensor2D) : this.mapContribution(scale, h as tf.Tensor4D);
      const updated = tf.add(fhat, contribution) as tf.Tensor4D;
      if (scale === this.numScales - 1) return { fhat: updated };
      return { fhat: updated, next: resize(updated, this.patchNums[scale + 1] as number, 'area', this.resizeMatrices) };
    });
  }

  /**
   * Training forward (official `VectorQuantizer2.forward`): the residual loop with the codebook and φ in the graph,
   * loss averaged over scales, straight-through f̂, and (in training mode) the EMA of per-scale vocabulary hits.
   */
  forward(f: tf.Tensor4D): MultiScaleQuantizerOutput {
    const hits: tf.Tensor1D[] = [];
    const result = tf.tidy(() => {
      const target = stopGradient(f) as tf.Tensor4D;
      let rest = target;
      let fhat = tf.zerosLike(f) as tf.Tensor4D;
      let loss = tf.scalar(0);
      for (let k = 0; k < this.numScales; k++) {
        // Token ids leave the gradient tape entirely (tfjs would otherwise ask gather for an int32 gradient).
        const found = this.quantizeMap(this.scaleInput(k, rest));
        const ids = tf.tensor2d(found.dataSync() as Int32Array, found.shape, 'int32');
        hits.push(tf.keep(tf.sum(tf.cast(tf.oneHot(tf.reshape(ids, [-1]), this.vocabSize), 'float32'), 0) as tf.Tensor1D));
        const h = this.scaleContribution(k, ids);
        fhat = tf.add(fhat, h);
        rest = stopGradient(tf.sub(rest, h)) as tf.Tensor4D;
        const commitment = tf.mul(tf.mean(tf.squaredDifference(stopGradient(fhat), f)), this.beta);
        const codebook = tf.mean(tf.squaredDifference(fhat, target));
        loss = tf.add(loss, tf.add(commitment, codebook));
      }
      const straightThrough = tf.add(stopGradient(tf.sub(fhat, f)), f) as tf.Tensor4D;
      return { fhat: straightThrough, loss: tf.div(loss, this.numScales) as tf.Scalar };
    });
    const usage = hits.map((h) => tf.tidy(() => tf.mean(tf.cast(tf.greater(h, 0), 'float32')).dataSync()[0] as number));
    if (this.training) hits.forEach((h, k) => this.updateHitEma(k, h));
    tf.dispose(hits);
    const [b, height, width] = f.shape;
    return { ...result, usage, usages: this.usages((b * height * width) / this.vocabSize * 0.08) };
  }

  /** `record_hit`, the count that picks the EMA's mixing weight: training state, saved in training checkpoints. */
  protected override getExtraState(): unknown {
    return { recordHit: this.recordHit };
  }

  protected override setExtraState(state: unknown): void {
    const recordHit = (state as { recordHit?: unknown } | null)?.recordHit;
    if (typeof recordHit === 'number' && Number.isInteger(recordHit) && recordHit >= 0) this.recordHit = recordHit;
  }

  /** Official `usages`: per scale, 100 × the fraction of codes with ema_vocab_hit_SV ≥ margin. */
  usages(margin: number): number[] {
    const ema = this.emaVocabHit.dataSync();
    const v = this.vocabSize;
    return this.patchNums.map((_, k) => {
      let count = 0;
      for (let i = k * v; i < (k + 1) * v; i++) if ((ema[i] as number) >= margin) count++;
      return (count / v) * 100;
    });
  }

  /**
   * The official per-scale update, counted by `record_hit` across scales and calls: the first copies the hits,
   * the next 99 mix 0.9·ema + 0.1·hits, later ones 0.99·ema + 0.01·hits.
   */
  private updateHitEma(scale: number, hits: tf.Tensor1D): void {
    const updated = tf.tidy(() => {
      const row = tf.slice(this.emaVocabHit, [scale, 0], [1, this.vocabSize]);
      const hitRow = tf.reshape(hits, [1, this.vocabSize]);
      const mixed =
        this.recordHit === 0 ? hitRow : this.recordHit < 100 ? tf.add(tf.mul(row, 0.9), tf.mul(hitRow, 0.1)) : tf.add(tf.mul(row, 0.99), tf.mul(hitRow, 0.01));
      const rows = tf.split(this.emaVocabHit, this.numScales, 0);
      rows[scale] = mixed;
      return tf.concat(rows, 0);
    });
    this.emaVocabHit.assign(updated);
    updated.dispose();
    this.recordHit++;
  }
}
