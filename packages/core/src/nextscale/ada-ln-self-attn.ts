import { tf } from '../tf.js';
import type { Rng } from '../rng/rng.js';
import type { LayerKVCache } from '../cache/layer-kv-cache.js';
import { AdaLNModulation, modulatedLayerNorm } from '../nn/adaln.js';
import { MultiHeadAttention } from '../nn/attention.js';
import { GeluMlp } from '../nn/gelu-mlp.js';
import { normalInit } from '../nn/init.js';
import { LayerNorm } from '../nn/layer-norm.js';
import { Module } from '../nn/module.js';

export interface AdaLNSelfAttnOptions {
  readonly embedDim: number;
  readonly condDim: number;
  readonly numHeads: number;
  readonly ffnHidden: number;
  readonly normEps: number;
  readonly sharedAln: boolean;
  readonly attnL2Norm: boolean;
  /** Dropout after the attention projection and after the FFN (official drop_rate). */
  readonly dropRate: number;
  readonly attnDropRate: number;
  /** Stochastic depth of this block (official dpr[block_idx]): each sample's residual branch is dropped in training. */
  readonly dropPath: number;
  /**
   * A cross-attention sub-layer between self-attention and FFN, x ← x + CrossAttn(LN(x), context) with an affine
   * LayerNorm `ln_cross` and attention `cross_attn` (separate q/k/v projections from `contextDim` channels): for
   * next-scale models conditioned on a sequence (a measured image, a prompt). Not part of VAR, which has none.
   */
  readonly crossAttention?: { readonly contextDim: number };
  readonly rng: Rng;
}

/**
 * A block's six AdaLN chunks γ1, γ2, s1, s2, β1, β2 (each broadcastable to [B, l, C]), from `modulation(cond)`: a
 * condition that stays fixed over many calls (c during generation) is modulated once, not per call.
 */
export type AdaLNChunks = [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];

/** What a block reads besides its input: the block-causal mask (teacher forcing), its KV cache, the cross context. */
export interface AdaLNBlockContext {
  readonly mask?: tf.Tensor;
  readonly cache?: LayerKVCache;
  /** [B, Lc, contextDim], for blocks with cross-attention. */
  readonly context?: tf.Tensor;
}

/**
 * VAR's `basic_var.AdaLNSelfAttn`, the block of next-scale transformers:
 *   x ← x + γ1 ⊙ Attn(LN(x) ⊙ (1 + s1) + β1)
 *   x ← x + γ2 ⊙ FFN(LN(x) ⊙ (1 + s2) + β2)
 * with the six chunks, in this order, γ1, γ2, s1, s2, β1, β2 from `ada_lin(SiLU(c))` (Linear D → 6C), or, with
 * shared_aln, from `ada_gss + shared_ada_lin(SiLU(c))` computed once by the model. LN has no affine parameters.
 * The attention is VAR's variant: fused `mat_qkv` without bias, [q_bias | zero_k_bias | v_bias], and with
 * attn_l2_norm the per-head temperature `scale_mul_1H11` (scale 1), else the scale 0.25/√d.
 */
export class AdaLNSelfAttn extends Module {
  readonly attn: MultiHeadAttention;
  readonly ffn: GeluMlp;
  readonly ln: LayerNorm;
  readonly adaLin: AdaLNModulation | undefined;
  readonly adaGss: tf.Variable | undefined;
  readonly crossAttn: MultiHeadAttention | undefined;
  readonly lnCross: LayerNorm | undefined;
  private readonly rng: Rng;

  constructor(readonly options: AdaLNSelfAttnOptions) {
    super();
    const { embedDim: c, numHeads, rng } = options;
    this.rng = this.addRng('drop_path', rng.fork());
    this.attn = this.addModule(
      'attn',
      new MultiHeadAttention({
        dim: c,
        numHeads,
        projection: 'fused',
        qkvBias: 'qv',
        l2Norm: options.attnL2Norm,
        ...(options.attnL2Norm ? {} : { scale: 0.25 / Math.sqrt(c / numHeads) }),
        attnDropout: options.attnDropRate,
        projDropout: options.dropRate,
        names: { qkv: 'mat_qkv', out: 'proj' },
        rng: rng.fork(),
      }),
    );
    this.ffn = this.addModule('ffn', new GeluMlp(c, options.ffnHidden, { gelu: 'tanh', dropout: options.dropRate, rng: rng.fork() }));
    this.ln = this.addModule('ln_wo_grad', new LayerNorm(c, { eps: options.normEps, affine: false }));
    if (options.sharedAln) {
      // Official torch.randn(1, 1, 6, C) / √C, drawn from the Rng.
      this.adaGss = this.addParameter('ada_gss', normalInit([1, 1, 6, c], rng.fork(), 1 / Math.sqrt(c)));
      this.adaLin = undefined;
    } else {
      this.adaLin = this.addModule('ada_lin', new AdaLNModulation(options.condDim, c, 6, { rng: rng.fork() }));
      this.adaGss = undefined;
    }
    if (options.crossAttention) {
      this.lnCross = this.addModule('ln_cross', new LayerNorm(c, { eps: options.normEps }));
      this.crossAttn = this.addModule(
        'cross_attn',
        new MultiHeadAttention({ dim: c, numHeads, contextDim: options.crossAttention.contextDim, attnDropout: options.attnDropRate, projDropout: options.dropRate, rng: rng.fork() }),
      );
    }
  }

  /**
   * x: [B, l, C]. `cond` is c [B, D] (per-block AdaLN) or the shared modulation [B, 1, 6, C] (shared_aln).
   * `cond` may also be its precomputed `modulation`. `mask`: the additive block-causal mask (teacher forcing); `cache`: this layer's KV cache (generation).
   */
  forward(x: tf.Tensor3D, cond: tf.Tensor | AdaLNChunks, context: AdaLNBlockContext = {}): tf.Tensor3D {
    return tf.tidy(() => {
      const [g1, g2, s1, s2, b1, b2] = cond instanceof tf.Tensor ? this.modulation(cond) : cond;
      const a = this.attn.forward(this.modulatedNorm(x, b1, s1), {
        ...(context.mask ? { mask: context.mask } : {}),
        ...(context.cache ? { cache: context.cache } : {}),
      });
      let x1 = tf.add(x, this.dropPath(tf.mul(a, g1)));
      if (this.crossAttn && this.lnCross) {
        if (!context.context) throw new RangeError('AdaLNSelfAttn: this block cross-attends and needs a context');
        x1 = tf.add(x1, this.dropPath(this.crossAttn.forward(this.lnCross.forward(x1), { context: context.context })));
      }
      const f = this.ffn.forward(this.modulatedNorm(x1, b2, s2));
      return tf.add(x1, this.dropPath(tf.mul(f, g2))) as tf.Tensor3D;
    });
  }

  /** LN(x)·(1 + scale) + shift (ln_wo_grad has no affine). */
  private modulatedNorm(x: tf.Tensor, shift: tf.Tensor, scale: tf.Tensor): tf.Tensor {
    return modulatedLayerNorm(x, this.ln.eps, shift, scale);
  }

  /** The six chunks for `cond` (c [B, D], or shared_aln's [B, 1, 6, C]): ada_lin(SiLU(c)), or ada_gss + the shared one. */
  modulation(cond: tf.Tensor): AdaLNChunks {
    return tf.tidy(() => (this.adaGss ? tf.unstack(tf.add(this.adaGss, cond), 2) : (this.adaLin as AdaLNModulation).forward(cond))) as unknown as AdaLNChunks;
  }

  /** timm's DropPath: in training, zero a sample's branch with probability p and scale the kept ones by 1/(1 − p). */
  private dropPath(branch: tf.Tensor): tf.Tensor {
    const p = this.options.dropPath;
    if (!this.training || p <= 0) return branch;
    const batch = branch.shape[0] as number;
    const keep = Float32Array.from({ length: batch }, () => (this.rng.uniform() < p ? 0 : 1 / (1 - p)));
    return tf.mul(branch, tf.tensor3d(keep, [batch, 1, 1]));
  }
}
