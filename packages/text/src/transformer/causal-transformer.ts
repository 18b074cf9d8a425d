import { z } from 'zod';
import type {
  Rng} from '@nextx/core';
import {
  Dropout,
  Embedding,
  InputError,
  LayerNorm,
  Module,
  ModuleList,
  MultiHeadAttention,
  RotaryEmbedding,
  SwiGluMlp,
  maskFromPositions,
  range,
  tf,
  type KVCache,
  type LayerKVCache,
} from '@nextx/core';

/** The decoder shared by the AR reference and BitLM's backbone: sizes only, so two models of equal size compare fairly. */
export const transformerConfigSchema = z
  .object({
    dim: z.number().int().positive().default(128),
    depth: z.number().int().positive().default(4),
    heads: z.number().int().positive().default(4),
    /** SwiGLU hidden width as a multiple of dim (LLaMA's 8/3 keeps the parameter count of a 4× GELU MLP). */
    mlpRatio: z.number().positive().default(8 / 3),
    dropout: z.number().min(0).max(1).default(0),
    ropeBase: z.number().positive().default(10_000),
    /** Longest sequence of positions the model is used at (checked, not learned: positions are RoPE). */
    contextLength: z.number().int().positive().default(256),
  })
  .strict()
  .refine((c) => c.dim % c.heads === 0 && (c.dim / c.heads) % 2 === 0, { message: 'dim / heads must be an even integer (RoPE rotates channel pairs)' });
export type TransformerConfig = z.output<typeof transformerConfigSchema>;
export type TransformerConfigInput = z.input<typeof transformerConfigSchema>;

/** Pre-LN block: x + Attn(LN(x)), then x + SwiGLU(LN(x)); RoPE attention, no biases in the MLP (LLaMA-style). */
class DecoderBlock extends Module {
  readonly ln1: LayerNorm;
  readonly attn: MultiHeadAttention;
  readonly ln2: LayerNorm;
  readonly mlp: SwiGluMlp;
  readonly drop: Dropout;

  constructor(config: TransformerConfig, rope: RotaryEmbedding, rng: Rng) {
    super();
    const { dim, heads, dropout } = config;
    this.ln1 = this.addModule('ln_1', new LayerNorm(dim));
    this.attn = this.addModule('attn', new MultiHeadAttention({ dim, numHeads: heads, rope, attnDropout: dropout, rng: rng.fork() }));
    this.ln2 = this.addModule('ln_2', new LayerNorm(dim));
    const hidden = Math.round((config.mlpRatio * dim) / 8) * 8;
    this.mlp = this.addModule('mlp', new SwiGluMlp(dim, hidden, { rng: rng.fork() }));
    this.drop = this.addModule('drop', new Dropout(dropout, { rng: rng.fork() }));
  }

  forward(x: tf.Tensor, mask: tf.Tensor | undefined, cache: LayerKVCache | undefined): tf.Tensor {
    return tf.tidy(() => {
      const attended = tf.add(x, this.drop.forward(this.attn.forward(this.ln1.forward(x), { ...(mask ? { mask } : {}), ...(cache ? { cache } : {}) })));
      return tf.add(attended, this.drop.forward(this.mlp.forward(this.ln2.forward(attended))));
    });
  }
}

/**
 * A decoder over token ids with block-causal attention: position p sees position q iff block(q) ≤ block(p), blocks
 * of `blockSize` tokens (1 = plain causal attention). Returns the final hidden states; the AR model reads logits
 * over the vocabulary from them, BitLM conditions its bit-diffusion head on them.
 */
export class CausalTransformer extends Module {
  readonly config: TransformerConfig;
  readonly wte: Embedding;
  readonly blocks: ModuleList<DecoderBlock>;
  readonly lnF: LayerNorm;
  private readonly rope: RotaryEmbedding;

  constructor(
    config: TransformerConfig,
    readonly vocabSize: number,
    readonly blockSize: number,
    rng: Rng,
  ) {
    super();
    this.config = config;
    this.rope = new RotaryEmbedding(config.dim / config.heads, { base: config.ropeBase });
    this.wte = this.addModule('wte', new Embedding(vocabSize, config.dim, { rng: rng.fork(), initStd: 0.02 }));
    this.blocks = this.addModule('blocks', new ModuleList(Array.from({ length: config.depth }, () => new DecoderBlock(config, this.rope, rng.fork()))));
    this.lnF = this.addModule('ln_f', new LayerNorm(config.dim));
  }

  /** The additive mask of queries at positions start … start+length−1 over keys 0 … start+length−1 (cache, then chunk). */
  mask(length: number, start = 0): tf.Tensor2D {
    const block = (p: number) => Math.floor(p / this.blockSize);
    return maskFromPositions(range(start, length), range(0, start + length), (p, q) => block(q) <= block(p));
  }

  /**
   * ids [B, L] → hidden [B, L, dim]. Without a cache: the whole sequence at once under the block-causal mask. With a
   * cache: the ids continue the cached sequence (whole blocks from a block boundary; every cached key is visible) and
   * their keys are appended. One block needs no mask: it sees the cache and all of itself.
   */
  forward(ids: tf.Tensor, cache?: KVCache): tf.Tensor {
    if (ids.rank !== 2) throw new InputError(`transformer: expected ids [batch, length], got [${ids.shape}]`);
    const length = ids.shape[1] as number;
    const start = cache?.nextPosition ?? 0;
    if (start + length > this.config.contextLength) throw new InputError(`transformer: positions up to ${start + length} exceed the context length ${this.config.contextLength}`);
    if (cache && (start % this.blockSize !== 0 || length % this.blockSize !== 0)) {
      throw new InputError(`transformer: cached decoding takes whole blocks of ${this.blockSize} tokens at block boundaries; got ${length} tokens at position ${start}`);
    }
    return tf.tidy(() => {
      let x = this.wte.forward(ids);
      const mask = length <= this.blockSize ? undefined : this.mask(length, start);
      this.blocks.items.forEach((block, i) => {
        x = block.forward(x, mask, cache?.layer(i));
      });
      return this.lnF.forward(x);
    });
  }

  /** Also frees the rotary tables the blocks share (kept by core's RotaryEmbedding after the first call). */
  override dispose(): void {
    this.rope.dispose();
    super.dispose();
  }
}
