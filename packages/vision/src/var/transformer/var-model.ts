import {
  tf,
  AdaLNBeforeHead,
  AdaLNModulation,
  AdaLNSelfAttn,
  Embedding,
  Linear,
  Module,
  ModuleList,
  blockCausalMask,
  runAdaLNBlocks,
  blockModulations,
  type AdaLNChunks,
  truncatedNormalInit,
  groupIdsFromSizes,
  type KVCache,
  type Rng,
} from '@nextx/core';
import { deriveSizes, type VarDerived, type VarModelConfig } from '../config.js';

/** The AdaLN modulations of c, computed once per generation (the Linear D → 6C of every block, D → 2C of the head). */
export type VarModulations = {
  readonly blocks: AdaLNChunks[];
  readonly head: [tf.Tensor, tf.Tensor];
};

/** Intermediate tensors of a teacher-forcing forward, for debugging and the fixture's (e) checks. */
export type ForwardTap = (name: 'cond' | 'block_cond' | 'block0_input' | 'block0_output' | 'last_block_output', t: tf.Tensor) => void;

/**
 * The VAR next-scale transformer (official `var.VAR` without its VQVAE), with the official state-dict names:
 * word_embed, class_emb (row num_classes = null class), pos_start, pos_1LC, lvl_embed, shared_ada_lin (shared_aln),
 * blocks.{l}, head_nm, head, and the buffers lvl_1L and attn_bias_for_masking.
 */
export class VarTransformer extends Module {
  readonly sizes: VarDerived;
  readonly numClasses: number;
  readonly wordEmbed: Linear;
  readonly classEmb: Embedding;
  readonly posStart: tf.Variable;
  readonly pos1LC: tf.Variable;
  readonly lvlEmbed: Embedding;
  readonly sharedAdaLin: AdaLNModulation | undefined;
  readonly blocks: ModuleList<AdaLNSelfAttn>;
  readonly lvl1L: tf.Variable;
  readonly attnBiasForMasking: tf.Variable;
  readonly headNm: AdaLNBeforeHead;
  readonly head: Linear;

  constructor(
    readonly config: VarModelConfig,
    rng: Rng,
  ) {
    super();
    const sizes = (this.sizes = deriveSizes(config));
    const c = sizes.width;
    const v = config.var;
    this.numClasses = v.num_classes;
    const initStd = Math.sqrt(1 / c / 3);
    this.wordEmbed = this.addModule('word_embed', new Linear(sizes.cvae, c, { rng }));
    this.classEmb = this.addModule('class_emb', new Embedding(v.num_classes + 1, c, { rng, initStd }));
    this.posStart = this.addParameter('pos_start', truncatedNormalInit([1, sizes.firstL, c], rng, initStd));
    this.pos1LC = this.addParameter('pos_1LC', truncatedNormalInit([1, sizes.L, c], rng, initStd));
    this.lvlEmbed = this.addModule('lvl_embed', new Embedding(sizes.numScales, c, { rng, initStd }));
    this.sharedAdaLin = v.shared_aln ? this.addModule('shared_ada_lin', new AdaLNModulation(c, c, 6, { rng })) : undefined;
    const blocks: AdaLNSelfAttn[] = [];
    for (let l = 0; l < v.depth; l++) {
      // Official stochastic-depth rule: linspace(0, drop_path_rate, depth).
      const dropPath = v.depth > 1 ? (v.drop_path_rate * l) / (v.depth - 1) : 0;
      blocks.push(
        new AdaLNSelfAttn({
          embedDim: c,
          condDim: c,
          numHeads: v.num_heads,
          ffnHidden: sizes.ffnHidden,
          normEps: v.norm_eps,
          sharedAln: v.shared_aln,
          attnL2Norm: v.attn_l2_norm,
          dropRate: v.drop_rate,
          attnDropRate: v.attn_drop_rate,
          dropPath,
          rng,
        }),
      );
    }
    this.blocks = this.addModule('blocks', new ModuleList(blocks));
    const levels = groupIdsFromSizes(sizes.patchNums.map((pn) => pn * pn));
    this.lvl1L = this.addBuffer('lvl_1L', tf.tensor2d(levels, [1, sizes.L], 'int32'));
    this.attnBiasForMasking = this.addBuffer(
      'attn_bias_for_masking',
      tf.tidy(() => tf.reshape(blockCausalMask(levels), [1, 1, sizes.L, sizes.L])),
    );
    this.headNm = this.addModule('head_nm', new AdaLNBeforeHead(c, c, v.norm_eps, rng));
    this.head = this.addModule('head', new Linear(c, sizes.vocabSize, { rng }));
  }

  /** c = class_emb[labels]: condition and start-of-sequence embedding, [B, D]. Label num_classes is the null class. */
  condition(labels: tf.Tensor1D): tf.Tensor2D {
    return this.classEmb.forward(labels) as tf.Tensor2D;
  }

  /** What every block receives: c itself, or shared_ada_lin(SiLU(c)) as [B, 1, 6, C] with shared_aln. */
  blockCondition(cond: tf.Tensor2D): tf.Tensor {
    return tf.tidy(() => (this.sharedAdaLin ? tf.stack(this.sharedAdaLin.forward(cond), 2) : tf.clone(cond)));
  }

  /** Every block's AdaLN chunks and the head's [scale, shift] for a condition that a whole generation shares. */
  modulations(cond: tf.Tensor2D, blockCond: tf.Tensor): VarModulations {
    return { blocks: blockModulations(this.blocks.items, blockCond), head: this.headNm.modulation(cond) };
  }

  /** lvl_embed[lvl_1L] + pos_1LC: [1, L, C]. */
  levelPositions(): tf.Tensor3D {
    return tf.tidy(() => tf.add(this.lvlEmbed.forward(this.lvl1L), this.pos1LC) as tf.Tensor3D);
  }

  /** Start tokens of scale 0: c + pos_start + (lvl + pos)[:first_l], [B, first_l, C]. */
  startTokens(cond: tf.Tensor2D, lvlPos: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const first = tf.slice(lvlPos, [0, 0, 0], [1, this.sizes.firstL, -1]);
      return tf.add(tf.add(tf.expandDims(cond, 1), this.posStart), first) as tf.Tensor3D;
    });
  }

  /** word_embed(tokens) + (lvl + pos)[begin : begin + n], tokens [B, n, Cvae]. */
  embedTokens(tokens: tf.Tensor3D, lvlPos: tf.Tensor3D, begin: number): tf.Tensor3D {
    return tf.tidy(() => {
      const n = tokens.shape[1];
      return tf.add(this.wordEmbed.forward(tokens), tf.slice(lvlPos, [0, begin, 0], [1, n, -1])) as tf.Tensor3D;
    });
  }

  /** The additive block-causal mask of the first `n` positions, [n, n]. */
  mask(n: number): tf.Tensor2D {
    return tf.tidy(() => tf.reshape(tf.slice(this.attnBiasForMasking, [0, 0, 0, 0], [1, 1, n, n]), [n, n]) as tf.Tensor2D);
  }

  /** Runs every block (core's runAdaLNBlocks); with `caches`, incrementally (this step's keys and values are committed). */
  runBlocks(x: tf.Tensor3D, blockCond: tf.Tensor | readonly AdaLNChunks[], options: { mask?: tf.Tensor; caches?: KVCache; tap?: ForwardTap } = {}): tf.Tensor3D {
    return tf.tidy(() => {
      const { tap, ...run } = options;
      const last = this.blocks.length - 1;
      return runAdaLNBlocks(this.blocks.items, x, blockCond, {
        ...run,
        ...(tap
          ? {
              tap: (l: number, h: tf.Tensor3D) => {
                if (l === 0) tap('block0_output', h);
                if (l === last) tap('last_block_output', h);
              },
            }
          : {}),
      });
    });
  }

  /** logits = head(head_nm(h, c)): [B, l, V]; `cond` may be the head's precomputed modulation. */
  logits(h: tf.Tensor3D, cond: tf.Tensor2D | VarModulations['head']): tf.Tensor3D {
    return tf.tidy(() => this.head.forward(this.headNm.forward(h, cond)) as tf.Tensor3D);
  }

  /**
   * Teacher forcing (official `VAR.forward` with cond_drop_rate handled by the caller): labels [B] int32,
   * x [B, L − first_l, Cvae] from the quantizer's `indicesToVarInput` → logits [B, L, V].
   */
  forward(labels: tf.Tensor1D, xBLCvWoFirstL: tf.Tensor3D, tap?: ForwardTap): tf.Tensor3D {
    return tf.tidy(() => {
      const cond = this.condition(labels);
      tap?.('cond', cond);
      const lvlPos = this.levelPositions();
      const x = tf.concat([this.startTokens(cond, lvlPos), this.embedTokens(xBLCvWoFirstL, lvlPos, this.sizes.firstL)], 1) as tf.Tensor3D;
      tap?.('block0_input', x);
      const blockCond = this.blockCondition(cond);
      tap?.('block_cond', blockCond);
      const h = this.runBlocks(x, blockCond, { mask: this.mask(this.sizes.L), ...(tap ? { tap } : {}) });
      return this.logits(h, cond);
    });
  }
}
