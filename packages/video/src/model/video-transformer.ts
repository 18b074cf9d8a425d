import { AxialRotaryEmbedding, Conv2d, InputError, Linear, Module, ModuleList, Rng, layerNorm, modulate, normalInit, silu, tf, type KVCache } from '@nextx/core';
import { conditioningSlots, type TokenLayout, type VideoModelConfig } from './config.js';
import { levelsPerToken } from './frame-levels.js';
import { TimestepEmbedding } from './timestep-embedding.js';
import { VideoBlock } from './video-block.js';

/** One pass of the transformer over a run of tokens. */
export interface TransformerCall {
  /** Absolute token positions (frame · tokensPerFrame + index in the frame), one per token. */
  readonly positions: readonly number[];
  /** With a cache: attend to its slots, then commit (or not: denoising steps against a fixed context). */
  readonly cache?: KVCache;
  readonly commit?: boolean;
  /** Group id per token (its frame), for frame-wise eviction. */
  readonly groups?: readonly number[];
  /** Additive mask [L, cache + L] (training and the uncached path); without one, a chunk sees the cache and itself. */
  readonly mask?: tf.Tensor;
  /** The last-frame conditioning [B, L, slots·tokenDim] (see VideoModel.conditioningOf); needed when the config asks for it. */
  readonly conditioning?: tf.Tensor;
  /** Receives each layer's attention probabilities [B, H, L, keys] (head profiling); inside the pass's tidy scope. */
  readonly onAttention?: (layer: number, probs: tf.Tensor) => void;
}

/**
 * The chunk transformer: tokens of latent patches, 3-D RoPE (frame, row, column) in every attention, a DiT trunk
 * with adaLN-single modulation by each token's flow level, and a zero-initialised head predicting the flow velocity
 * v = ε − x₀ per token, directly or through the clean chunk (config.prediction).
 */
export class VideoTransformer extends Module {
  readonly embed: Linear;
  /** Embeds the last-frame conditioning (zero-initialised), when the config asks for it: per token, or over a neighbourhood of tokens (config.conditioningKernel). */
  readonly conditionEmbed: Linear | Conv2d | undefined;
  readonly timeEmbed: TimestepEmbedding;
  readonly tBlock: Linear;
  readonly blocks: ModuleList<VideoBlock>;
  readonly finalTable: tf.Variable;
  readonly head: Linear;
  readonly rope: AxialRotaryEmbedding;

  constructor(
    readonly config: VideoModelConfig,
    readonly layout: TokenLayout,
    rng: Rng = Rng.seeded(0),
  ) {
    super();
    const { dim, heads } = config;
    const headDim = dim / heads;
    const spatial = (headDim - config.ropeTimeDims) / 2;
    const { side, tokensPerFrame } = layout;
    this.rope = new AxialRotaryEmbedding({
      axes: [{ dims: config.ropeTimeDims }, { dims: spatial, base: 100 }, { dims: spatial, base: 100 }],
      coordinates: (p) => {
        const s = p % tokensPerFrame;
        return [Math.floor(p / tokensPerFrame), Math.floor(s / side), s % side];
      },
    });
    this.embed = this.addModule('x_embedder', new Linear(layout.tokenDim, dim, { rng: rng.fork() }));
    this.conditionEmbed = config.lastFrameConditioning ? this.addModule('cond_embedder', conditionEmbedding(config, layout, rng.fork())) : undefined;
    this.timeEmbed = this.addModule('t_embedder', new TimestepEmbedding(dim, 128, rng.fork()));
    this.tBlock = this.addModule('t_block', new Linear(dim, 6 * dim, { rng: rng.fork() }));
    this.blocks = this.addModule(
      'blocks',
      new ModuleList(Array.from({ length: config.depth }, () => new VideoBlock(dim, heads, config.mlpRatio, this.rope, rng.fork()))),
    );
    this.finalTable = this.addParameter('final_scale_shift_table', normalInit([2, dim], rng.fork(), 1 / Math.sqrt(dim)));
    this.head = this.addModule('final_linear', new Linear(dim, layout.tokenDim, { rng: rng.fork() }));
    tf.tidy(() => {
      this.head.weight.assign(tf.zerosLike(this.head.weight));
      this.head.bias?.assign(tf.zerosLike(this.head.bias));
      this.conditionEmbed?.weight.assign(tf.zerosLike(this.conditionEmbed.weight));
    });
  }

  /** The embedded input tokens [B, L, D] (what FlowCache compares between denoising steps). */
  embedTokens(tokens: tf.Tensor): tf.Tensor {
    return this.embed.forward(tokens);
  }

  /**
   * tokens [B, F·n, tokenDim] of F whole frames (n tokens each, frame after frame) at per-frame flow levels [B, F] →
   * predicted velocity [B, F·n, tokenDim]. The level embedding and modulation are computed once per frame.
   */
  forward(tokens: tf.Tensor, levels: tf.Tensor, call: TransformerCall): tf.Tensor {
    if (this.config.prediction === 'velocity') return this.headOutput(tokens, levels, call);
    return tf.tidy(() => {
      // x_t = (1 − t)·x₀ + t·ε and v = ε − x₀ give v = (x_t − x₀)/t; t is never 0 where a sampler asks for v.
      const t = tf.maximum(levelsPerToken(levels, (tokens.shape[1] as number) / (levels.shape[1] as number)), 1e-4);
      return tf.div(tf.sub(tokens, this.predictClean(tokens, levels, call)), t);
    });
  }

  /**
   * The predicted clean tokens x̂₀ = x_last + head of a 'last-frame-residual' model (its training target); x_last is
   * the conditioning's first slot: the last frame, or its motion-compensated reference (config.motionCompensation).
   */
  predictClean(tokens: tf.Tensor, levels: tf.Tensor, call: TransformerCall): tf.Tensor {
    if (this.config.prediction !== 'last-frame-residual') throw new InputError(`VideoTransformer: predictClean needs prediction 'last-frame-residual' (this model predicts '${this.config.prediction}')`);
    return tf.tidy(() => {
      const conditioning = call.conditioning as tf.Tensor;
      const last = conditioningSlots(this.config) === 1 ? conditioning : tf.slice(conditioning, [0, 0, 0], [-1, -1, this.layout.tokenDim]);
      return tf.add(last, this.headOutput(tokens, levels, call));
    });
  }

  /** The last-frame conditioning [B, F·n, C] embedded [B, F·n, D]: per token, or by a convolution over each frame's token grid. */
  embedConditioning(conditioning: tf.Tensor): tf.Tensor {
    const embed = this.conditionEmbed;
    if (!embed) throw new InputError('VideoTransformer: this model has no last-frame conditioning (config.lastFrameConditioning is false)');
    if (embed instanceof Linear) return embed.forward(conditioning);
    return tf.tidy(() => {
      const [batch, length, channels] = conditioning.shape as [number, number, number];
      const { side } = this.layout;
      const grids = tf.reshape(conditioning, [-1, side, side, channels]) as tf.Tensor4D;
      return tf.reshape(embed.forward(grids), [batch, length, this.config.dim]);
    });
  }

  private headOutput(tokens: tf.Tensor, levels: tf.Tensor, call: TransformerCall): tf.Tensor {
    return tf.tidy(() => {
      const [batch, length] = tokens.shape as [number, number, number];
      const frames = levels.shape[1] as number;
      const c = tf.expandDims(this.timeEmbed.forward(levels), 2);
      const modulation = this.tBlock.forward(silu(c));
      let h = this.embedTokens(tokens);
      if (this.conditionEmbed) {
        if (!call.conditioning) throw new InputError('VideoTransformer: this model is conditioned on the last frame; pass call.conditioning');
        h = tf.add(h, this.embedConditioning(call.conditioning));
      }
      this.blocks.items.forEach((block, l) => {
        h = block.forward(h, modulation, {
          positions: call.positions,
          ...(call.cache ? { cache: call.cache.layer(l), commit: call.commit ?? true } : {}),
          ...(call.groups ? { group: call.groups } : {}),
          ...(call.mask ? { mask: call.mask } : {}),
        }, call.onAttention && ((probs) => call.onAttention?.(l, probs)));
      });
      // PixArt's final layer: shift, scale = table + c (the level embedding itself, not its SiLU).
      const [shift, scale] = tf.split(tf.add(tf.expandDims(c, 3), this.finalTable), 2, 3).map((t) => tf.squeeze(t, [3])) as [tf.Tensor, tf.Tensor];
      const normed = tf.reshape(layerNorm(h, 1e-6), [batch, frames, length / frames, this.config.dim]);
      return this.head.forward(tf.reshape(modulate(normed, shift, scale), [batch, length, this.config.dim]));
    });
  }
}

function conditionEmbedding(config: VideoModelConfig, layout: TokenLayout, rng: Rng): Linear | Conv2d {
  const channels = layout.tokenDim * conditioningSlots(config);
  const k = config.conditioningKernel;
  if (k === 1) return new Linear(channels, config.dim, { bias: false, rng });
  return new Conv2d(channels, config.dim, k, { padding: (k - 1) / 2, bias: false, rng });
}
