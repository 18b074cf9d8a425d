import { tf } from '../tf.js';
import { Module } from './module.js';

/** What attention needs of a rotary position embedding: rotate q or k [..., L, d] at L absolute positions. */
export interface PositionalRotation {
  apply(x: tf.Tensor, positions: readonly number[]): tf.Tensor;
}

export interface AxialAxis {
  /** Channels of the head dimension this axis rotates (even). */
  readonly dims: number;
  /** θ base of its frequencies (default 10000). */
  readonly base?: number;
}

export interface AxialRotaryEmbeddingOptions {
  /** The axes in channel order: axis a rotates the next `dims` channels of each head. Their dims sum to the head dim. */
  readonly axes: readonly AxialAxis[];
  /**
   * A token's absolute position (what caches and masks use) → its coordinate on each axis: for video tokens laid
   * out frame by frame, row by row, `p => [⌊p / (h·w)⌋, ⌊p / w⌋ mod h, p mod w]`.
   */
  readonly coordinates: (position: number) => readonly number[];
}

/**
 * Rotary embedding over several axes (the 3-D RoPE of video transformers such as Wan and Self Forcing, 2-D for
 * images): the head dimension is cut into one part per axis, and part a is rotated by its coordinate cₐ as a 1-D
 * rotary embedding of `dims` channels would rotate position cₐ — rotate-half within the part, θᵢ = base^(−2i/dims).
 * Attention logits then depend on each axis's offset alone (time lag, row and column shift). No parameters.
 */
export class AxialRotaryEmbedding extends Module implements PositionalRotation {
  readonly headDim: number;
  private readonly axes: readonly { offset: number; dims: number; invFreq: Float64Array }[];
  private readonly coordinates: (position: number) => readonly number[];

  constructor(options: AxialRotaryEmbeddingOptions) {
    super();
    let offset = 0;
    this.axes = options.axes.map((axis, a) => {
      if (!Number.isInteger(axis.dims) || axis.dims <= 0 || axis.dims % 2 !== 0) {
        throw new RangeError(`AxialRotaryEmbedding: axis ${a} has ${axis.dims} channels; each axis needs a positive even count`);
      }
      const base = axis.base ?? 10000;
      const invFreq = Float64Array.from({ length: axis.dims / 2 }, (_, i) => 1 / base ** ((2 * i) / axis.dims));
      const part = { offset, dims: axis.dims, invFreq };
      offset += axis.dims;
      return part;
    });
    if (this.axes.length === 0) throw new RangeError('AxialRotaryEmbedding: no axes');
    this.headDim = offset;
    this.coordinates = options.coordinates;
  }

  /** cos and sin tables [L, d] for the given positions (each axis's θ repeated over both halves of its part). */
  tables(positions: readonly number[]): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
    const d = this.headDim;
    const cos = new Float32Array(positions.length * d);
    const sin = new Float32Array(positions.length * d);
    positions.forEach((p, row) => {
      const coords = this.coordinates(p);
      if (coords.length !== this.axes.length) {
        throw new RangeError(`AxialRotaryEmbedding: position ${p} has ${coords.length} coordinates for ${this.axes.length} axes`);
      }
      this.axes.forEach(({ offset, dims, invFreq }, a) => {
        const c = coords[a] as number;
        const half = dims / 2;
        for (let i = 0; i < half; i++) {
          const angle = Math.fround(Math.fround(c) * Math.fround(invFreq[i] as number));
          const base = row * d + offset + i;
          cos[base] = cos[base + half] = Math.cos(angle);
          sin[base] = sin[base + half] = Math.sin(angle);
        }
      });
    });
    return { cos: tf.tensor2d(cos, [positions.length, d]), sin: tf.tensor2d(sin, [positions.length, d]) };
  }

  /** x [..., L, d] rotated at `positions` (length L). */
  apply(x: tf.Tensor, positions: readonly number[]): tf.Tensor {
    const axis = x.rank - 1;
    if (positions.length !== x.shape[x.rank - 2] || x.shape[axis] !== this.headDim) {
      throw new RangeError(`AxialRotaryEmbedding: got shape [${x.shape}] for ${positions.length} positions, d=${this.headDim}`);
    }
    return tf.tidy(() => {
      const { cos, sin } = this.tables(positions);
      const sizes = this.axes.flatMap(({ dims }) => [dims / 2, dims / 2]);
      const halves = tf.split(x, sizes, axis);
      const rotated = this.axes.flatMap((_, a) => [tf.neg(halves[2 * a + 1] as tf.Tensor), halves[2 * a] as tf.Tensor]);
      return tf.add(tf.mul(x, cos), tf.mul(tf.concat(rotated, axis), sin));
    });
  }
}
