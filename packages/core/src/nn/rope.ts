import { tf } from '../tf.js';
import { Module } from './module.js';

export interface RotaryEmbeddingOptions {
  /** θ base of the frequencies, 10000 in RoFormer/LLaMA. */
  readonly base?: number;
}

/**
 * Rotary position embedding (Su et al. 2021) in the rotate-half convention of GPT-NeoX / HF LLaMA:
 * channel i and i + d/2 form a pair rotated by angle p·θ_i, θ_i = base^(−2i/d):
 *   out = x·cos(pθ) + rotate_half(x)·sin(pθ),  rotate_half([x1, x2]) = [−x2, x1].
 * No parameters (state dict empty). Positions are absolute, so a cache continues at its `nextPosition`.
 */
export class RotaryEmbedding extends Module {
  readonly base: number;
  private readonly invFreq: Float64Array;

  constructor(
    readonly headDim: number,
    options: RotaryEmbeddingOptions = {},
  ) {
    super();
    if (headDim % 2 !== 0) throw new RangeError(`RotaryEmbedding: head dim ${headDim} must be even`);
    this.base = options.base ?? 10000;
    const half = headDim / 2;
    this.invFreq = new Float64Array(half);
    for (let i = 0; i < half; i++) this.invFreq[i] = 1 / this.base ** ((2 * i) / headDim);
  }

  /** cos and sin tables [L, d] for the given positions (each θ repeated for both halves). */
  tables(positions: readonly number[]): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
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
      const { cos, sin } = this.tables(positions);
      const half = this.headDim / 2;
      const [x1, x2] = tf.split(x, [half, half], x.rank - 1) as [tf.Tensor, tf.Tensor];
      const rotated = tf.concat([tf.neg(x2), x1], x.rank - 1);
      return tf.add(tf.mul(x, cos), tf.mul(rotated, sin));
    });
  }
}
