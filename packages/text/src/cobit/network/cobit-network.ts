import { Linear, Module, ModuleList, RotaryEmbedding, Rng, edmInputScale, hostToTensor, isHostTensor, matchedFilterLogits, tf, type HostTensor, type LoadStateDictOptions, type StateDict, type StateDictSource } from '@nextx/core';
import { cobitSizes, type CobitConfig, type CobitSizes } from '../config.js';
import { HybridSequenceHead, OptimalSkipMlpHead, PatchBitsHead, type BitHead } from './heads.js';
import { positionalFeaturesTensor } from './positional-features.js';
import { RelPosBias1D } from './rel-pos-bias.js';
import { SinTimeSigma } from './sin-time-sigma.js';
import type { Tap } from './tap.js';
import { PreNormBlock, PreNormBlockAda } from './trunk-blocks.js';

/**
 * The self-conditioning input of one call: a tensor of estimates (centred like x_t), or `null` — the official `None`,
 * whose embedding is the projection of an *uncentred* 0, a different input from a tensor of zeros (spec 6.1, 12.5).
 */
export type SelfCondition = tf.Tensor | null;

/**
 * What CoBit's loss and sampler need from a bit denoiser: logits per bit of x_t [B, S] at σ [B] given the
 * self-conditioning input. CobitNetwork is one; BitLM's head, bound to its backbone state, is another.
 */
export interface BitDenoiser {
  readonly bits: number;
  readonly dataCenter: number;
  readonly sigmaData: number;
  /** The largest training σ (the sampler's default top level). */
  readonly sigmaMax: number;
  readonly selfCondition: boolean;
  /** The loss it trains with (CoBit: cfg.train.loss_type and loss_weighting). */
  readonly loss: { readonly lossType?: 'binary_sm' | 'binary_ce'; readonly weighting?: 'edm' | 'karras' | 'unit' | 'none' };
  logits(xT: tf.Tensor, sigma: tf.Tensor, selfCondition: SelfCondition): tf.Tensor;
}

/**
 * CoBit's denoiser network, official `models/sdt.py:SequenceVDTContinuousModel` for continuous bits (spec section 6):
 * per-bit content (the noisy bit and the self-conditioning estimate, each centred, scaled by c_in(σ) and projected
 * by the shared `cont_input_proj`), positional features, patches of P bits projected to E channels, a trunk of AdaLN
 * (or plain pre-norm) blocks with RoPE self-attention, and a head that returns one logit per bit. State-dict names are
 * the official ones. `logits` adds the official post-processing (the matched filter, spec 6.7).
 */
export class CobitNetwork extends Module implements BitDenoiser {
  readonly sizes: CobitSizes;
  readonly contInputProj: Linear | undefined;
  readonly timeFn: SinTimeSigma;
  readonly timeProj: Linear;
  readonly timeCond: Linear;
  readonly patchProj: Linear;
  readonly unpatchProjContent: Linear | undefined;
  readonly blocks: ModuleList<PreNormBlockAda | PreNormBlock>;
  readonly head: BitHead;
  readonly rpb: RelPosBias1D | undefined;
  /** Positional features by sequence length in bits (the training length first; others made on demand). */
  private readonly posFeats = new Map<number, tf.Tensor2D>();
  private readonly rope: RotaryEmbedding | undefined;
  private readonly crossAttentionKeys: readonly string[];

  constructor(
    readonly config: CobitConfig,
    rng: Rng = Rng.seeded(0),
  ) {
    super();
    const m = config.cfg.model;
    const sizes = cobitSizes(config);
    this.sizes = sizes;
    const { E, C, P, S } = sizes;
    if (C > 1) this.contInputProj = this.addModule('cont_input_proj', new Linear(1, C, { rng: rng.fork() }));
    const md = m.rpb_max_distance;
    this.rpb = md > 1 ? this.addModule('rpb', new RelPosBias1D(md, rng.fork())) : undefined;
    this.timeFn = this.addModule('time_fn', new SinTimeSigma(E));
    this.timeProj = this.addModule('time_proj', new Linear(E, E, { bias: false, rng: rng.fork() }));
    this.timeCond = this.addModule('time_cond', new Linear(E, E, { rng: rng.fork() }));
    this.patchProj = this.addModule('patch_proj', new Linear((sizes.contentIn + sizes.posDim) * P, E, { rng: rng.fork() }));
    this.unpatchProjContent = this.addModule('unpatch_proj_content', new Linear(E, C * P, { rng: rng.fork() }));
    this.rope = m.use_rope_trunk ? new RotaryEmbedding(E / sizes.H, { base: m.rope_base }) : undefined;
    const blockOptions = { dim: E, heads: sizes.H, dimFf: sizes.dimFf, dropout: m.dropout, ...(this.rope ? { rope: this.rope } : {}) };
    this.blocks = this.addModule(
      'blocks',
      new ModuleList(
        Array.from({ length: sizes.L }, () =>
          m.use_adaln ? new PreNormBlockAda({ ...blockOptions, swiglu: m.use_swiglu, rng: rng.fork() }) : new PreNormBlock({ ...blockOptions, rng: rng.fork() }),
        ),
      ),
    );
    this.head = this.buildHead(rng.fork());
    this.crossAttentionKeys = m.head_type === 'hybrid_attn_v2' && m.head_use_cross_attn ? ['head.cross_attn'] : [];
    this.positionalFeaturesFor(S);
  }

  private buildHead(rng: Rng): BitHead {
    const m = this.config.cfg.model;
    const { E, P, C, contentIn, posDim, H } = this.sizes;
    if (m.head_type === 'patch_bits_sedd') {
      // The official model holds these three members itself, not under `head`.
      const head = new PatchBitsHead(E, P, m.head_embed_dim ?? E, rng);
      this.addModule('patch_to_bits', head.patchToBits);
      this.addModule('bit_norm', head.bitNorm);
      this.addModule('bit_out', head.bitOut);
      return head;
    }
    if (m.head_type === 'hybrid_attn_v2') {
      const kernel = m.head_kernel % 2 === 0 ? m.head_kernel + 1 : m.head_kernel;
      return this.addModule(
        'head',
        new HybridSequenceHead({
          dim: E,
          heads: H,
          posDim,
          contentDim: C,
          noisyDim: contentIn,
          kernel,
          dropout: m.dropout,
          crossAttention: m.head_use_cross_attn,
          selfAttention: m.head_use_self_attn,
          localMixer: m.head_use_local_mixer,
          rng,
        }),
      );
    }
    return this.addModule('head', new OptimalSkipMlpHead(E, P, m.head_hidden, C, contentIn, m.dropout, rng));
  }

  get bits(): number {
    return this.sizes.S;
  }

  get dataCenter(): number {
    return this.sizes.dataCenter;
  }

  get sigmaData(): number {
    return this.sizes.sigmaData;
  }

  get sigmaMax(): number {
    return this.config.cfg.diffusion.continuous.sigma_max;
  }

  get selfCondition(): boolean {
    return this.config.cfg.model.self_condition;
  }

  get loss(): BitDenoiser['loss'] {
    return { lossType: this.config.cfg.train.loss_type, weighting: this.config.cfg.train.loss_weighting };
  }

  /** Positional features [S, pos_dim] of the training length (spec 6.2). */
  get positionalFeatures(): tf.Tensor2D {
    return this.positionalFeaturesFor(this.sizes.S);
  }

  /**
   * Positional features for sequences of `bits` bits. The trunk has no absolute position (RoPE is relative and the
   * global features are zeros in local_only mode), so a model runs at any length that is a whole number of patches.
   */
  positionalFeaturesFor(bits: number): tf.Tensor2D {
    let feats = this.posFeats.get(bits);
    if (!feats) {
      const m = this.config.cfg.model;
      if (bits % this.sizes.P !== 0) throw new RangeError(`CoBit: ${bits} bits are not whole patches of ${this.sizes.P}`);
      feats = tf.keep(positionalFeaturesTensor(bits, this.sizes.P, { global: m.n_fourier_global, local: m.n_fourier_local, mode: m.abs_pos_mode }));
      if (this.posFeats.size > 16) {
        const [oldest, tensor] = this.posFeats.entries().next().value as [number, tf.Tensor];
        if (oldest !== this.sizes.S) {
          tensor.dispose();
          this.posFeats.delete(oldest);
        }
      }
      this.posFeats.set(bits, feats);
    }
    return feats;
  }

  /** x [B, S] → cont_input_proj(x·c_in) [B, S, C] (x itself when C = 1, as the official model has no projection then). */
  private embedBits(x: tf.Tensor, cIn: tf.Tensor): tf.Tensor {
    const scaled = tf.mul(x, cIn);
    return this.contInputProj ? this.contInputProj.forward(tf.expandDims(scaled, -1)) : tf.expandDims(scaled, -1);
  }

  /** Content [B, S, contentIn] (spec 6.1): [noisy_emb ‖ sc_emb] with self-conditioning, noisy_emb alone without. */
  content(xT: tf.Tensor, sigma: tf.Tensor, selfCondition: SelfCondition): tf.Tensor {
    return tf.tidy(() => {
      const m = this.config.cfg.model;
      const center = m.center_inputs ? this.sizes.dataCenter : 0;
      const cIn = tf.reshape(edmInputScale(sigma, this.sizes.sigmaData), [-1, 1]);
      const noisy = this.embedBits(center ? tf.sub(xT, center) : xT, cIn);
      if (!m.self_condition) return noisy;
      const sc = selfCondition === null ? tf.zerosLike(xT) : center ? tf.sub(selfCondition, center) : selfCondition;
      return tf.concat([noisy, this.embedBits(sc, cIn)], -1);
    });
  }

  /** σ [B] → t_emb [B, E] = time_cond(time_proj(time_fn(σ))). */
  timeEmbedding(sigma: tf.Tensor, tap?: Tap): tf.Tensor {
    return tf.tidy(() => {
      const sin = this.timeFn.forward(sigma);
      tap?.('time_sin', sin);
      return this.timeCond.forward(this.timeProj.forward(sin));
    });
  }

  /**
   * The raw network output (official `model.forward`, squeezed): x_t [B, S], σ [B] → [B, S]. `tokenCondition`
   * [B, n, E], when given, is added to the patch tokens after `patch_proj` (BitLM conditions its head this way; the
   * official model has no such input).
   */
  forward(xT: tf.Tensor, sigma: tf.Tensor, selfCondition: SelfCondition, tap?: Tap, tokenCondition?: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [b, S] = xT.shape as [number, number];
      const { P, C, posDim, contentIn } = this.sizes;
      const n = S / P;
      const posFeats = this.positionalFeaturesFor(S);
      const content = this.content(xT, sigma, selfCondition);
      tap?.('content', content);
      const xAug = tf.concat([content, tf.tile(tf.expandDims(posFeats, 0), [b, 1, 1])], -1);
      tap?.('x_aug', xAug);
      let tokens = this.patchProj.forward(tf.reshape(xAug, [b, n, P * (contentIn + posDim)]));
      tap?.('tokens_in', tokens);
      if (tokenCondition) tokens = tf.add(tokens, tokenCondition);
      const tEmb = this.timeEmbedding(sigma, tap);
      tap?.('t_emb', tEmb);
      const bias = this.rpb?.forward(n);
      this.blocks.items.forEach((block, i) => {
        tokens = block.forward(tokens, { tEmb, ...(bias ? { bias } : {}), ...(tap ? { tap } : {}), prefix: `blk${i}.` });
      });
      const xRecon = this.config.cfg.model.head_type === 'patch_bits_sedd' ? undefined : tf.reshape((this.unpatchProjContent as Linear).forward(tokens), [b, S, C]);
      if (xRecon) tap?.('x_recon', xRecon);
      const out = this.head.forward({ tokens, tEmb, content, posFeats, ...(xRecon ? { xRecon } : {}), ...(tap ? { tap } : {}) });
      const net = tf.reshape(out, [b, S]);
      tap?.('net_logits', net);
      return net;
    });
  }

  /**
   * Logits per bit (official `_model_logits_continuous`): the network output post-processed by
   * `continuous_logit_scaling` — with `matched_filter_residual`, plus clamp(scale·(x_t − c)/max(σ², 1e-12), ±clip).
   */
  logits(xT: tf.Tensor, sigma: tf.Tensor, selfCondition: SelfCondition, tap?: Tap, tokenCondition?: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const net = this.forward(xT, sigma, selfCondition, tap, tokenCondition);
      const m = this.config.cfg.model;
      const mode = m.continuous_logit_scaling;
      const perRow = tf.reshape(sigma, [-1, 1]);
      if (mode === 'none') return net;
      if (mode === 'inv_sigma2') return tf.div(net, tf.maximum(tf.square(perRow), 1.1754943508222875e-38));
      const mf = matchedFilterLogits(xT, perRow, {
        center: this.sizes.matchedFilterCenter,
        scale: m.matched_filter_scale,
        ...(m.matched_filter_clip === null ? {} : { clip: m.matched_filter_clip }),
      });
      tap?.('mf', mf);
      const logits = mode === 'matched_filter_only' ? mf : tf.add(net, mf);
      tap?.('logits', logits);
      return logits;
    });
  }

  /** The state dict under the official names (the hybrid head's cross-attention fuses k and v into `kv_proj`). */
  override stateDict(): StateDict {
    const dict = super.stateDict();
    for (const prefix of this.crossAttentionKeys) {
      for (const kind of ['weight', 'bias']) {
        const k = dict[`${prefix}.k_proj.${kind}`] as tf.Tensor;
        const v = dict[`${prefix}.v_proj.${kind}`] as tf.Tensor;
        dict[`${prefix}.kv_proj.${kind}`] = tf.concat([k, v], 0);
        delete dict[`${prefix}.k_proj.${kind}`];
        delete dict[`${prefix}.v_proj.${kind}`];
        tf.dispose([k, v]);
      }
    }
    return dict;
  }

  /** Loads a state dict under the official names (a fused `kv_proj` is split into its k and v halves first). */
  override loadStateDict(source: StateDictSource, options: LoadStateDictOptions = {}): void {
    const entries = new Map<string, HostTensor | tf.Tensor>(source instanceof Map ? source : Object.entries(source));
    const made: tf.Tensor[] = [];
    for (const prefix of this.crossAttentionKeys) {
      for (const kind of ['weight', 'bias']) {
        const fused = entries.get(`${prefix}.kv_proj.${kind}`);
        if (!fused) continue;
        const whole = isHostTensor(fused) ? hostToTensor(fused) : fused;
        const [k, v] = tf.split(whole, 2, 0) as [tf.Tensor, tf.Tensor];
        if (whole !== fused) whole.dispose();
        made.push(k, v);
        entries.delete(`${prefix}.kv_proj.${kind}`);
        entries.set(`${prefix}.k_proj.${kind}`, k);
        entries.set(`${prefix}.v_proj.${kind}`, v);
      }
    }
    try {
      super.loadStateDict(entries, options);
    } finally {
      tf.dispose(made);
    }
  }

  override dispose(): void {
    for (const feats of this.posFeats.values()) feats.dispose();
    this.rope?.dispose();
    this.posFeats.clear();
    super.dispose();
  }
}
