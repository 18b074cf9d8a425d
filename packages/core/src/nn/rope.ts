import { tf } from '../tf.js';
import { Module } from './module.js';

export interface RotaryEmbeddingOptions {
  /** θ base of the frequencies, 10000 in RoFormer/LLaMA. */
  readonly base?: number;
  /**
   * Positions below this take their cos/sin rows from tables kept as tensors (grown to the largest position seen,
   * rounded up to a power of two); later positions get rows built for the call. Default 8192.
   */
  readonly maxCachedPositions?: number;
}

/** cos and sin tables [L, d] (each θ repeated for both halves). */
export interface RotaryTables {
  readonly cos: tf.Tensor2D;
  readonly sin: tf.Tensor2D;
}

/**
 * Rotary position embedding (Su et al. 2021) in the rotate-half convention of GPT-NeoX / HF LLaMA:
 * channel i and i + d/2 form a pair rotated by angle p·θ_i, θ_i = base^(−2i/d):
 *   out = x·cos(pθ) + rotate_half(x)·sin(pθ),  rotate_half([x1, x2]) = [−x2, x1].
 * No parameters (state dict empty). Positions are absolute, so a cache continues at its `nextPosition`.
 *
 * The tables are built on the host once, for positions up to the largest seen (rounded up to a power of two), and kept
 * as tensors that each call slices (consecutive positions) or gathers; `dispose()` frees them (a model that shares one
 * rotary embedding between its layers owns it).
 */
export class RotaryEmbedding extends Module {
  readonly base: number;
  readonly maxCachedPositions: number;
  private readonly invFreq: Float64Array;
  private kept: RotaryTables | undefined;

  constructor(
    readonly headDim: number,
    options: RotaryEmbeddingOptions = {},
  ) {
    super();
    if (headDim % 2 !== 0) throw new RangeError(`RotaryEmbedding: head dim ${headDim} must be even`);
    this.base = options.base ?? 10000;
    this.maxCachedPositions = options.maxCachedPositions ?? 8192;
    const half = headDim / 2;
    this.invFreq = new Float64Array(half);
    for (let i = 0; i < half; i++) this.invFreq[i] = 1 / this.base ** ((2 * i) / headDim);
  }

  /** cos and sin tables [L, d] for the given positions, built on the host (new tensors). */
  tables(positions: readonly number[]): RotaryTables {
    const d = this.headDim;
    const half = d / 2;
    const cos = new Float32Array(positions.length * d);
    const sin = new Float32Array(positions.length * d);
    positions.forEach((p, row) => {
      for (let i = 0; i < half; i++) {
        // float32 product as torch's `t[:, None] * inv_freq[None, :]`, so long positions round the same way.
        const angle = Math.fround(Math.fround(p) * Math.fround(this.invFreq[i] as number));
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        cos[row * d + i] = c;
        cos[row * d + i + half] = c;
        sin[row * d + i] = s;
        sin[row * d + i + half] = s;
      }
    });
    return { cos: tf.tensor2d(cos, [positions.length, d]), sin: tf.tensor2d(sin, [positions.length, d]) };
  }

  /** x [..., L, d] (e.g. [B, H, L, d]) rotated at `positions` (length L). */
  apply(x: tf.Tensor, positions: readonly number[]): tf.Tensor {
    const length = x.shape[x.rank - 2];
    if (positions.length !== length || x.shape[x.rank - 1] !== this.headDim) {
      throw new RangeError(`RotaryEmbedding: got shape [${x.shape}] for ${positions.length} positions, d=${this.headDim}`);
    }
    return tf.tidy(() => {
      const { cos, sin } = this.rowsAt(positions);
      const half = this.headDim / 2;
      const [x1, x2] = tf.split(x, [half, half], x.rank - 1) as [tf.Tensor, tf.Tensor];
      const rotated = tf.concat([tf.neg(x2), x1], x.rank - 1);
      return tf.add(tf.mul(x, cos), tf.mul(rotated, sin));
    });
  }

  /** Frees the kept tables (they are rebuilt if the embedding is used again). */
  override dispose(): void {
    if (this.kept) tf.dispose([this.kept.cos, this.kept.sin]);
    this.kept = undefined;
    super.dispose();
  }

  /** Rows for `positions`: from the kept tables, or built for this call past `maxCachedPositions`. */
  private rowsAt(positions: readonly number[]): RotaryTables {
    const highest = positions.reduce((a, b) => Math.max(a, b), -1);
    const cacheable = positions.every((p) => Number.isInteger(p) && p >= 0) && highest < this.maxCachedPositions;
    if (!cacheable) return this.tables(positions);
    const kept = this.keptTables(highest + 1);
    const start = positions[0] as number;
    if (positions.every((p, i) => p === start + i)) {
      return { cos: tf.slice(kept.cos, [start, 0], [positions.length, -1]), sin: tf.slice(kept.sin, [start, 0], [positions.length, -1]) };
    }
    const index = tf.tensor1d(Int32Array.from(positions), 'int32');
    return { cos: tf.gather(kept.cos, index), sin: tf.gather(kept.sin, index) };
  }

  /** The kept tables, grown to at least `rows` positions. */
  private keptTables(rows: number): RotaryTables {
    if (this.kept && !this.kept.cos.isDisposed && this.kept.cos.shape[0] >= rows) return this.kept;
    const size = Math.min(this.maxCachedPositions, 2 ** Math.ceil(Math.log2(Math.max(rows, 64))));
    const tables = this.tables(Array.from({ length: size }, (_, p) => p));
    if (this.kept) tf.dispose([this.kept.cos, this.kept.sin]);
    this.kept = { cos: tf.keep(tables.cos), sin: tf.keep(tables.sin) };
    return this.kept;
  }
}
