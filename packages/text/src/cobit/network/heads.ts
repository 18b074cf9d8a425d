import type { Rng} from '@nextx/core';
import { Conv1d, Dropout, LayerNorm, Linear, Module, MultiHeadAttention, gelu, tf } from '@nextx/core';
import { AdaLNZero } from './ada-ln-zero.js';
import { SequentialMlp } from './feed-forward.js';
import { NamedModules } from './named-modules.js';
import type { Tap } from './tap.js';

/** What every head sees: the trunk's patch tokens and the per-bit content the trunk was built from. */
export interface HeadInput {
  /** Patch tokens after the trunk [B, n, E]. */
  readonly tokens: tf.Tensor;
  /** σ embedding [B, E]. */
  readonly tEmb: tf.Tensor;
  /** The per-bit content embedding [B, S, contentIn] (noisy ‖ self-conditioning). */
  readonly content: tf.Tensor;
  /** unpatch_proj_content(tokens) viewed [B, S, C] (heads that read it). */
  readonly xRecon?: tf.Tensor;
  /** Positional features [S, pos_dim] (the hybrid head). */
  readonly posFeats?: tf.Tensor;
  readonly tap?: Tap;
}

/** A head maps the trunk's output to one logit per bit [B, S, 1]. */
export interface BitHead extends Module {
  forward(input: HeadInput): tf.Tensor;
}

/**
 * Official `OptimalSkipMLPHead` (spec 6.6, the headline head): per bit, the patch token's projection (P·Hh channels,
 * bit j·P+p takes channels p·Hh …) plus a projection of [x_recon ‖ content]; AdaLN-Zero on a projection of t_emb,
 * its gate multiplying (no residual); then Linear–SiLU–Linear to one logit.
 */
export class OptimalSkipMlpHead extends Module implements BitHead {
  readonly patchAdapter: Linear;
  readonly inputAdapter: Linear;
  readonly timeProj: Linear;
  readonly adaln: AdaLNZero;
  readonly mixer: SequentialMlp;

  constructor(
    dim: number,
    readonly patchSize: number,
    readonly hidden: number,
    contentDim: number,
    noisyDim: number,
    dropout: number,
    rng: Rng,
  ) {
    super();
    this.patchAdapter = this.addModule('patch_adapter', new Linear(dim, patchSize * hidden, { rng: rng.fork() }));
    this.inputAdapter = this.addModule('input_adapter', new Linear(contentDim + noisyDim, hidden, { rng: rng.fork() }));
    this.timeProj = this.addModule('time_proj', new Linear(dim, hidden, { rng: rng.fork() }));
    this.adaln = this.addModule('adaln', new AdaLNZero(hidden, rng.fork()));
    this.mixer = this.addModule('mixer', new SequentialMlp(hidden, hidden, 1, 'silu', dropout, rng.fork()));
  }

  forward({ tokens, tEmb, content, xRecon, tap }: HeadInput): tf.Tensor {
    return tf.tidy(() => {
      const [b, s] = content.shape as [number, number, number];
      const global = tf.reshape(this.patchAdapter.forward(tokens), [b, s, this.hidden]);
      tap?.('head_global', global);
      const local = this.inputAdapter.forward(tf.concat([xRecon as tf.Tensor, content], -1));
      tap?.('head_local', local);
      const t = this.timeProj.forward(tEmb);
      tap?.('head_t', t);
      const { h, gate } = this.adaln.forward(tf.add(global, local), t);
      tap?.('head_adaln_h', h);
      tap?.('head_adaln_gate', tf.squeeze(gate, [1]));
      return this.mixer.forward(tf.mul(h, gate));
    });
  }
}

/**
 * Official `patch_bits_sedd` head, whose members sit on the model itself (`patch_to_bits`, `bit_norm`, `bit_out`): each
 * patch token projected to P vectors of E_head channels, layer-normed (affine) and read out to one logit.
 */
export class PatchBitsHead extends Module implements BitHead {
  readonly patchToBits: Linear;
  readonly bitNorm: LayerNorm;
  readonly bitOut: Linear;

  constructor(
    dim: number,
    readonly patchSize: number,
    readonly headDim: number,
    rng: Rng,
  ) {
    super();
    this.patchToBits = this.addModule('patch_to_bits', new Linear(dim, patchSize * headDim, { rng: rng.fork() }));
    this.bitNorm = this.addModule('bit_norm', new LayerNorm(headDim));
    this.bitOut = this.addModule('bit_out', new Linear(headDim, 1, { rng: rng.fork() }));
  }

  forward({ tokens, content }: HeadInput): tf.Tensor {
    return tf.tidy(() => {
      const [b, s] = content.shape as [number, number, number];
      const bits = tf.reshape(this.patchToBits.forward(tokens), [b, s, this.headDim]);
      return this.bitOut.forward(this.bitNorm.forward(bits));
    });
  }
}

/** Official `LocalSequenceMixer` (conv): x + Dropout(Conv1x1(GELU(DepthwiseConv_k(x)))), names `net.0`, `net.2`. */
class LocalSequenceMixer extends Module {
  readonly depthwise: Conv1d;
  readonly pointwise: Conv1d;
  readonly drop: Dropout;

  constructor(dim: number, kernel: number, dropout: number, rng: Rng) {
    super();
    this.depthwise = new Conv1d(dim, dim, kernel, { padding: Math.floor(kernel / 2), groups: dim, rng: rng.fork() });
    this.pointwise = new Conv1d(dim, dim, 1, { rng: rng.fork() });
    this.addModule('net', new NamedModules([['0', this.depthwise], ['2', this.pointwise]]));
    this.drop = this.addModule('dropout', new Dropout(dropout, { rng: rng.fork() }));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(x, this.drop.forward(this.pointwise.forward(gelu(this.depthwise.forward(x as tf.Tensor3D)) as tf.Tensor3D))));
  }
}

export interface HybridHeadOptions {
  readonly dim: number;
  readonly heads: number;
  readonly posDim: number;
  readonly contentDim: number;
  readonly noisyDim: number;
  readonly kernel: number;
  readonly dropout: number;
  readonly crossAttention: boolean;
  readonly selfAttention: boolean;
  readonly localMixer: boolean;
  readonly rng: Rng;
}

/**
 * Official `HybridSequenceHeadV2`: per-bit sequence features (projected [x_recon ‖ content ‖ positions]) that
 * cross-attend to the patch tokens and self-attend (each through AdaLN-Zero, the gates unused: plain residuals), an
 * optional local conv mixer, and a gated AdaLN feed-forward (E → 4E → E, SiLU) read out to one logit.
 */
export class HybridSequenceHead extends Module implements BitHead {
  readonly seqProj: Linear;
  readonly adalnCross: AdaLNZero | undefined;
  readonly crossAttn: MultiHeadAttention | undefined;
  readonly adalnSelf: AdaLNZero | undefined;
  readonly selfAttn: MultiHeadAttention | undefined;
  readonly localMixer: LocalSequenceMixer | undefined;
  readonly adalnFf: AdaLNZero;
  readonly ff: SequentialMlp;
  readonly drop: Dropout;
  readonly out: Linear;

  constructor(options: HybridHeadOptions) {
    super();
    const { dim, heads, dropout, rng } = options;
    this.seqProj = this.addModule('seq_proj', new Linear(options.contentDim + options.noisyDim + options.posDim, dim, { rng: rng.fork() }));
    if (options.crossAttention) {
      this.adalnCross = this.addModule('adaln_cross', new AdaLNZero(dim, rng.fork()));
      // The official fused kv_proj [2E, E] is split into k_proj / v_proj rows at load and fused back on save
      // (officialStateDict in model.ts).
      this.crossAttn = this.addModule('cross_attn', new MultiHeadAttention({ dim, numHeads: heads, contextDim: dim, names: { q: 'q_proj', k: 'k_proj', v: 'v_proj', out: 'out_proj' }, attnDropout: dropout, rng: rng.fork() }));
    }
    if (options.selfAttention) {
      this.adalnSelf = this.addModule('adaln_self', new AdaLNZero(dim, rng.fork()));
      this.selfAttn = this.addModule('self_attn', new MultiHeadAttention({ dim, numHeads: heads, names: { qkv: 'qkv_proj', out: 'out_proj' }, attnDropout: dropout, rng: rng.fork() }));
    }
    if (options.localMixer) this.localMixer = this.addModule('local_mixer', new LocalSequenceMixer(dim, options.kernel, dropout, rng.fork()));
    this.adalnFf = this.addModule('adaln_ff', new AdaLNZero(dim, rng.fork()));
    this.ff = this.addModule('ff', new SequentialMlp(dim, 4 * dim, dim, 'silu', dropout, rng.fork()));
    this.drop = this.addModule('drop', new Dropout(dropout, { rng: rng.fork() }));
    this.out = this.addModule('out', new Linear(dim, 1, { rng: rng.fork() }));
  }

  forward({ tokens, tEmb, content, xRecon, posFeats }: HeadInput): tf.Tensor {
    return tf.tidy(() => {
      const [b] = content.shape as [number, number, number];
      const pos = tf.tile(tf.expandDims(posFeats as tf.Tensor, 0), [b, 1, 1]);
      let seq = this.seqProj.forward(tf.concat([xRecon as tf.Tensor, content, pos], -1));
      if (this.crossAttn && this.adalnCross) {
        const { h } = this.adalnCross.forward(seq, tEmb);
        seq = tf.add(seq, this.drop.forward(this.crossAttn.forward(h, { context: tokens })));
      }
      if (this.selfAttn && this.adalnSelf) {
        const { h } = this.adalnSelf.forward(seq, tEmb);
        seq = tf.add(seq, this.drop.forward(this.selfAttn.forward(h)));
      }
      if (this.localMixer) seq = this.localMixer.forward(seq);
      const { h, gate } = this.adalnFf.forward(seq, tEmb);
      seq = tf.add(seq, tf.mul(this.drop.forward(this.ff.forward(h)), gate));
      return this.out.forward(seq);
    });
  }
}

