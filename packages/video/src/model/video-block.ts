import { GeluMlp, Module, MultiHeadAttention, layerNorm, modulate, normalInit, tf, type AttentionCall, type PositionalRotation, type Rng } from '@nextx/core';

/**
 * A DiT block with PixArt-α's adaLN-single: the modulation [B, L, 6·D] is computed once from the noise-level
 * embedding for all blocks, and each block adds its own learned table [6, D] before splitting it into
 * shift/scale/gate for attention and for the MLP. The modulation is per token, so every frame carries its own
 * noise level (Diffusion Forcing). Attention is block-causal through the KV cache or an explicit mask.
 */
export class VideoBlock extends Module {
  readonly attn: MultiHeadAttention;
  readonly mlp: GeluMlp;
  readonly table: tf.Variable;

  constructor(
    readonly dim: number,
    heads: number,
    mlpRatio: number,
    rope: PositionalRotation,
    rng: Rng,
  ) {
    super();
    this.attn = this.addModule('attn', new MultiHeadAttention({ dim, numHeads: heads, rope, rng: rng.fork() }));
    this.mlp = this.addModule('mlp', new GeluMlp(dim, Math.round(dim * mlpRatio), { gelu: 'tanh', rng: rng.fork() }));
    this.table = this.addParameter('scale_shift_table', normalInit([6, dim], rng.fork(), 1 / Math.sqrt(dim)));
  }

  /**
   * x [B, F·n, D] (F frames of n tokens), modulation [B, F, 1, 6·D] (one per frame) → [B, F·n, D]; `onAttention`
   * receives the probabilities [B, H, F·n, keys] (profiling).
   */
  forward(x: tf.Tensor, modulation: tf.Tensor, call: AttentionCall, onAttention?: (probs: tf.Tensor) => void): tf.Tensor {
    return tf.tidy(() => {
      const [batch, length] = x.shape as [number, number, number];
      const frames = modulation.shape[1] as number;
      const byFrame = (t: tf.Tensor) => tf.reshape(t, [batch, frames, length / frames, this.dim]);
      const flat = (t: tf.Tensor) => tf.reshape(t, [batch, length, this.dim]);
      const [shift1, scale1, gate1, shift2, scale2, gate2] = tf.split(tf.add(modulation, tf.reshape(this.table, [6 * this.dim])), 6, -1) as tf.Tensor[];
      const normed = flat(modulate(byFrame(layerNorm(x, 1e-6)), shift1 as tf.Tensor, scale1 as tf.Tensor));
      let attended: tf.Tensor;
      if (onAttention) {
        const result = this.attn.forwardWithAttention(normed, call);
        onAttention(result.attention);
        attended = result.output;
      } else {
        attended = this.attn.forward(normed, call);
      }
      const h = tf.add(x, flat(tf.mul(gate1 as tf.Tensor, byFrame(attended))));
      const mlp = this.mlp.forward(flat(modulate(byFrame(layerNorm(h, 1e-6)), shift2 as tf.Tensor, scale2 as tf.Tensor)));
      return tf.add(h, flat(tf.mul(gate2 as tf.Tensor, byFrame(mlp))));
    });
  }
}
