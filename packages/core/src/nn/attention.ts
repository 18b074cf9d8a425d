import { tf } from '../tf.js';
import { Rng } from '../rng/rng.js';
import { InputError } from '../errors.js';
import type { LayerKVCache } from '../cache/layer-kv-cache.js';
import { contextMask } from '../cache/context-mask.js';
import { checkMaskShape, type VisibilityRule } from './attention-mask.js';
import { segmentedAttention, type AttentionSegment } from './segmented-attention.js';
import { Module } from './module.js';
import { Linear } from './linear.js';
import { nativeL2Normalize } from '../backend/wasm/blas-norms.js';
import { dropout } from './dropout.js';
import type { PositionalRotation } from './axial-rope.js';

/** State-dict names of the attention's members (defaults in brackets). */
export interface AttentionNames {
  /** Fused projection [qkv]; VAR: 'mat_qkv'. */
  readonly qkv?: string;
  readonly q?: string;
  readonly k?: string;
  readonly v?: string;
  /** Output projection [proj]; LLaMA: 'o_proj'. */
  readonly out?: string;
  readonly qBias?: string;
  readonly vBias?: string;
  readonly zeroKBias?: string;
  readonly scaleMul?: string;
}

export interface MultiHeadAttentionOptions {
  readonly dim: number;
  readonly numHeads: number;
  /** Channels of the context for cross-attention (k and v come from it); implies separate projections. */
  readonly contextDim?: number;
  /** One Linear [C → 3C] split q | k | v ('fused', default for self-attention) or q, k, v Linears ('separate'). */
  readonly projection?: 'fused' | 'separate';
  /**
   * Biases of the q/k/v projections: 'full' (default), 'none', or 'qv' — VAR's fused variant: `mat_qkv` has no
   * bias, the parameters `q_bias` [C] and `v_bias` [C] and the persistent zero buffer `zero_k_bias` [C] form the
   * bias [q_bias | zero_k_bias | v_bias] of the fused product (keys get none).
   */
  readonly qkvBias?: 'full' | 'none' | 'qv';
  readonly outBias?: boolean;
  /**
   * VAR's attn_l2_norm: q and k L2-normalised per head (F.normalize, eps 1e-12), q multiplied by
   * exp(min(scale_mul_1H11, ln 100)) with the learned [1, H, 1, 1] log temperature (initialised to ln 4),
   * attention scale 1.
   */
  readonly l2Norm?: boolean;
  /** Logit scale; default 1/√d (1 with l2Norm). VAR without l2 norm uses 0.25/√d. */
  readonly scale?: number;
  /** Rotary embedding applied to q and k (self-attention) at their absolute positions (RotaryEmbedding, AxialRotaryEmbedding). */
  readonly rope?: PositionalRotation;
  /** Dropout on the attention probabilities in training. */
  readonly attnDropout?: number;
  /** Dropout after the output projection in training. */
  readonly projDropout?: number;
  readonly names?: AttentionNames;
  readonly rng?: Rng;
}

export interface AttentionCall {
  /** Cross-attention: the context [B, Lc, contextDim] keys and values are projected from. */
  readonly context?: tf.Tensor;
  /**
   * Chunked generation: the queries attend to the cache's slots and to this chunk's own keys (after l2 norm /
   * RoPE), then the chunk is committed (`commit`), which is when the cache evicts. For cross-attention the cache
   * holds the projected context: filled on the first call, reused afterwards (the context may then be omitted).
   */
  readonly cache?: LayerKVCache;
  /**
   * With a cache: store this chunk's keys and values after attending (default true). `false` attends without
   * changing the cache: several denoising passes of one chunk against a fixed context, the last one committing.
   */
  readonly commit?: boolean;
  /** Group id(s) of the committed tokens (a frame, a block; default one new group per commit), for group eviction. */
  readonly group?: number | readonly number[];
  /**
   * Additive mask broadcast to [B, H, Lq, Lk] ([Lq, Lk], [B, 1, 1, Lk], ...). With a self-attention cache the keys
   * are the cache's slots then the chunk's: Lk = cache.length + Lq (see `contextMask`, or give `visible`).
   */
  readonly mask?: tf.Tensor;
  /** A rule on absolute positions the mask is built from (self-attention): the cache's slots and the chunk's. */
  readonly visible?: VisibilityRule;
  /** Absolute positions of the queries, for RoPE, masks and the cache (default: cache.nextPosition … or 0 …). */
  readonly positions?: readonly number[];
}

export interface AttentionResult {
  readonly output: tf.Tensor;
  /** Attention probabilities [B, H, Lq, Lk] (with a cache: over its slots, then the chunk's keys). */
  readonly attention: tf.Tensor;
}

const LN_100 = Math.log(100);

/**
 * Multi-head scaled dot-product attention (Vaswani et al. 2017) with torch state-dict names. Heads are split
 * head-major: head h owns channels h·d … h·d+d−1 of q, k and v (torch's `.view(B, L, H, d)`); a fused
 * projection's output is [q | k | v], each C wide (VAR's `.view(B, L, 3, H, d)`). Products are batched
 * matMuls of [B·H, L, d].
 */
export class MultiHeadAttention extends Module {
  readonly dim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly scale: number;
  readonly cross: boolean;
  readonly qkv: Linear | undefined;
  readonly q: Linear | undefined;
  readonly k: Linear | undefined;
  readonly v: Linear | undefined;
  readonly out: Linear;
  readonly qBias: tf.Variable | undefined;
  readonly vBias: tf.Variable | undefined;
  readonly zeroKBias: tf.Variable | undefined;
  readonly scaleMul: tf.Variable | undefined;
  private readonly rope: PositionalRotation | undefined;
  private readonly attnDropout: number;
  private readonly projDropout: number;
  private readonly rng: Rng;

  constructor(options: MultiHeadAttentionOptions) {
    super();
    const { dim, numHeads } = options;
    if (dim % numHeads !== 0) throw new RangeError(`MultiHeadAttention: dim ${dim} not divisible by ${numHeads} heads`);
    this.dim = dim;
    this.numHeads = numHeads;
    this.headDim = dim / numHeads;
    this.cross = options.contextDim !== undefined;
    const l2Norm = options.l2Norm ?? false;
    this.scale = options.scale ?? (l2Norm ? 1 : 1 / Math.sqrt(this.headDim));
    this.rope = options.rope;
    this.attnDropout = options.attnDropout ?? 0;
    this.projDropout = options.projDropout ?? 0;
    this.rng = this.addRng('rng', options.rng ?? Rng.seeded(0)); // forks initialise the projections; draws drop attention
    const names = options.names ?? {};
    const biasMode = options.qkvBias ?? 'full';
    const fused = (options.projection ?? (this.cross ? 'separate' : 'fused')) === 'fused';
    if (fused && this.cross) throw new RangeError('MultiHeadAttention: cross-attention needs separate projections');
    if (biasMode === 'qv' && !fused) throw new RangeError("MultiHeadAttention: qkvBias 'qv' is the fused (VAR) variant");
    const linearBias = biasMode === 'full';
    const kvIn = options.contextDim ?? dim;
    if (fused) {
      this.qkv = this.addModule(names.qkv ?? 'qkv', new Linear(dim, 3 * dim, { bias: linearBias, rng: this.rng.fork() }));
    } else {
      this.q = this.addModule(names.q ?? 'q_proj', new Linear(dim, dim, { bias: linearBias, rng: this.rng.fork() }));
      this.k = this.addModule(names.k ?? 'k_proj', new Linear(kvIn, dim, { bias: linearBias, rng: this.rng.fork() }));
      this.v = this.addModule(names.v ?? 'v_proj', new Linear(kvIn, dim, { bias: linearBias, rng: this.rng.fork() }));
    }
    if (biasMode === 'qv') {
      this.qBias = this.addParameter(names.qBias ?? 'q_bias', tf.zeros([dim]));
      this.vBias = this.addParameter(names.vBias ?? 'v_bias', tf.zeros([dim]));
      this.zeroKBias = this.addBuffer(names.zeroKBias ?? 'zero_k_bias', tf.zeros([dim]));
    }
    if (l2Norm) {
      this.scaleMul = this.addParameter(names.scaleMul ?? 'scale_mul_1H11', tf.fill([1, numHeads, 1, 1], Math.log(4)));
    }
    this.out = this.addModule(
      names.out ?? 'proj',
      new Linear(dim, dim, { bias: options.outBias ?? true, rng: this.rng.fork() }),
    );
  }

  /** x [B, L, C] → [B, L, C]. */
  forward(x: tf.Tensor, call: AttentionCall = {}): tf.Tensor {
    return tf.tidy(() => this.attend(x, call, false).output);
  }

  /** As forward, also returning the attention probabilities [B, H, Lq, Lk] (for inspection or eviction scores). */
  forwardWithAttention(x: tf.Tensor, call: AttentionCall = {}): AttentionResult {
    return tf.tidy(() => {
      const { output, attention } = this.attend(x, call, true);
      return { output, attention: attention as tf.Tensor };
    });
  }

  private attend(x: tf.Tensor, call: AttentionCall, keepProbs: boolean): { output: tf.Tensor; attention?: tf.Tensor } {
    const positions = this.checkCall(x, call);
    const [batch, length] = x.shape as [number, number, number];
    const cache = call.cache;
    const commit = call.commit ?? true;
    const { q, k, v } = this.project(x, call, positions);
    let segments: readonly AttentionSegment[];
    if (this.cross) {
      if (cache && k && v && commit) cache.commit(k, v);
      segments = cache && cache.length > 0 ? cache.segments() : [{ k: k as tf.Tensor, v: v as tf.Tensor }];
    } else {
      const chunk = { k: k as tf.Tensor4D, v: v as tf.Tensor4D };
      segments = cache ? cache.segmentsWith(chunk.k, chunk.v) : [chunk];
    }
    const masks = [call.mask, call.visible && contextMask(cache, positions, call.visible)].filter((m) => m !== undefined);
    const mask = masks.length > 1 ? tf.add(masks[0] as tf.Tensor, masks[1] as tf.Tensor) : masks[0];
    const { heads, probs } = segmentedAttention(q, segments, {
      scale: this.scale,
      mask,
      ...(this.training ? { dropProbs: (p: tf.Tensor) => dropout(p, this.attnDropout, this.rng) } : {}),
    });
    if (cache && commit && !this.cross) {
      cache.commit(k as tf.Tensor, v as tf.Tensor, {
        positions,
        ...(call.group !== undefined ? { group: call.group } : {}),
        ...(cache.wantsAttention ? { attention: probs } : {}),
      });
    }
    const merged = tf.reshape(tf.transpose(heads, [0, 2, 1, 3]), [batch, length, this.dim]);
    const projected = this.out.forward(merged);
    const output = this.training ? dropout(projected, this.projDropout, this.rng) : projected;
    return keepProbs ? { output, attention: probs } : { output };
  }

  /**
   * Everything about a call that can be wrong, checked before any work (so that a bad call leaves the cache as it
   * was): x's shape, the cache's shape, positions, the mask's shape against [B, H, Lq, keys].
   */
  private checkCall(x: tf.Tensor, call: AttentionCall): number[] {
    if (x.rank !== 3 || x.shape[2] !== this.dim) {
      throw new InputError(`MultiHeadAttention: expected x [B, L, ${this.dim}], got [${x.shape}]`);
    }
    const [batch, length] = x.shape as [number, number, number];
    const cache = call.cache;
    cache?.checkContinues(batch, this.numHeads, this.headDim, this.headDim);
    const start = cache && !this.cross ? cache.nextPosition : 0;
    const positions = call.positions ? [...call.positions] : Array.from({ length }, (_, i) => start + i);
    if (positions.length !== length || positions.some((p) => !Number.isInteger(p) || p < 0)) {
      throw new InputError(`MultiHeadAttention: positions must be ${length} non-negative integers, got [${positions}]`);
    }
    let keys: number;
    if (this.cross) {
      if (call.visible) throw new InputError('MultiHeadAttention: `visible` is for self-attention; give cross-attention a mask');
      const context = call.context;
      if (cache && cache.length > 0) keys = cache.length;
      else if (!context) throw new InputError('MultiHeadAttention: cross-attention needs a context or a filled cache');
      else if (context.rank !== 3 || context.shape[0] !== batch) {
        throw new InputError(`MultiHeadAttention: context [${context.shape}] does not match x [${x.shape}]`);
      } else keys = context.shape[1] as number;
    } else {
      keys = (cache?.length ?? 0) + length;
    }
    if (call.mask) checkMaskShape(call.mask, [batch, this.numHeads, length, keys], 'MultiHeadAttention');
    return positions;
  }

  /** q [B, H, L, d], and this step's k and v (undefined when a cross-attention cache already holds them). */
  private project(x: tf.Tensor, call: AttentionCall, positions: readonly number[]): { q: tf.Tensor; k?: tf.Tensor; v?: tf.Tensor } {
    let q: tf.Tensor;
    let k: tf.Tensor | undefined;
    let v: tf.Tensor | undefined;
    if (this.qkv) {
      // VAR's [q_bias | 0 | v_bias] as the product's bias (the fused Linear has none of its own then).
      const bias = this.qBias && this.zeroKBias && this.vBias ? tf.concat([this.qBias, this.zeroKBias, this.vBias], 0) : undefined;
      const fused = this.qkv.forward(x, bias ?? this.qkv.bias);
      [q, k, v] = tf.split(fused, 3, 2) as [tf.Tensor, tf.Tensor, tf.Tensor];
    } else {
      q = (this.q as Linear).forward(x);
      const reuse = this.cross && call.cache !== undefined && call.cache.length > 0;
      if (!reuse) {
        const source = (this.cross ? call.context : x) as tf.Tensor;
        k = (this.k as Linear).forward(source);
        v = (this.v as Linear).forward(source);
      }
    }
    q = this.splitHeads(q);
    k = k && this.splitHeads(k);
    v = v && this.splitHeads(v);
    if (this.scaleMul) {
      const temperature = tf.exp(tf.minimum(this.scaleMul, LN_100));
      q = l2Normalize(q, 1e-12, temperature);
      k = k && l2Normalize(k);
    }
    if (this.rope && !this.cross) {
      q = this.rope.apply(q, positions);
      k = k && this.rope.apply(k, positions);
    }
    return { q, k, v };
  }

  /** [B, L, C] → [B, H, L, d], head h = channels h·d … h·d+d−1. */
  private splitHeads(x: tf.Tensor): tf.Tensor {
    const [batch, length] = x.shape as [number, number, number];
    return tf.transpose(tf.reshape(x, [batch, length, this.numHeads, this.headDim]), [0, 2, 1, 3]);
  }
}

/**
 * F.normalize(x, dim=-1): x / max(‖x‖₂, 1e-12), then times `scale` when given. One native pass for x [B, H, L, d]
 * and a per-head scale [1, H, 1, 1] where @nextx/native-blas runs it (inference), else the differentiable ops.
 */
export function l2Normalize(x: tf.Tensor, eps = 1e-12, scale?: tf.Tensor): tf.Tensor {
  const native = nativeL2Normalize(x, eps, scale);
  if (native) return native;
  return tf.tidy(() => {
    const normed = tf.div(x, tf.maximum(tf.sqrt(tf.sum(tf.square(x), -1, true)), eps));
    return scale ? tf.mul(normed, scale) : normed;
  });
}
