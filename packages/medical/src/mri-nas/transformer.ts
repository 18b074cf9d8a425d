import {
  tf,
  AdaLNBeforeHead,
  AdaLNSelfAttn,
  Embedding,
  Linear,
  Module,
  ModuleList,
  ScaleSchedule,
  initNextScaleWeights,
  runAdaLNBlocks,
  truncatedNormalInit,
  type KVCache,
  type Rng,
} from '@nextx/core';
import { tokenGridSize, type MriNasConfig } from './config.js';

/**
 * The next-acceleration-scale transformer. Its sequence holds the levels it predicts, 1 … K−1 (level 0, the most
 * accelerated, is always measured), each a full token grid of h·w positions. The input at level k is
 * word_embed(f̂_{k−1}) + pos_embed + lvl_embed[k] — VAR's next-scale input with the acceleration in place of the
 * resolution — and the blocks are VAR's AdaLN self-attention blocks (block-causal over levels) with a cross-attention
 * to the measured image: ctx_proj(E(x_measured)) + ctx_pos, E the tokenizer's encoder. The AdaLN condition is
 * acc_embed[input level], the acceleration that was measured.
 */
export class MriNasTransformer extends Module {
  readonly grid: number;
  readonly numLevels: number;
  readonly schedule: ScaleSchedule;
  readonly wordEmbed: Linear;
  readonly posEmbed: tf.Variable;
  readonly lvlEmbed: Embedding;
  readonly accEmbed: Embedding;
  readonly ctxProj: Linear;
  readonly ctxPos: tf.Variable;
  readonly blocks: ModuleList<AdaLNSelfAttn>;
  readonly headNm: AdaLNBeforeHead;
  readonly head: Linear;

  constructor(
    readonly config: MriNasConfig,
    rng: Rng,
  ) {
    super();
    const t = config.transformer;
    const c = t.width;
    const cvae = config.tokenizer.latentDim;
    this.grid = tokenGridSize(config);
    this.numLevels = config.accelerations.length;
    const hw = this.grid * this.grid;
    this.schedule = new ScaleSchedule(Array.from({ length: this.numLevels - 1 }, () => hw));
    const initStd = Math.sqrt(1 / c / 3);
    this.wordEmbed = this.addModule('word_embed', new Linear(cvae, c, { rng }));
    this.posEmbed = this.addParameter('pos_embed', truncatedNormalInit([1, hw, c], rng, initStd));
    this.lvlEmbed = this.addModule('lvl_embed', new Embedding(this.numLevels, c, { rng, initStd }));
    this.accEmbed = this.addModule('acc_embed', new Embedding(this.numLevels, c, { rng, initStd }));
    this.ctxProj = this.addModule('ctx_proj', new Linear(cvae, c, { rng }));
    this.ctxPos = this.addParameter('ctx_pos', truncatedNormalInit([1, hw, c], rng, initStd));
    const blocks = Array.from(
      { length: t.depth },
      () =>
        new AdaLNSelfAttn({
          embedDim: c,
          condDim: c,
          numHeads: t.numHeads,
          ffnHidden: Math.round(c * t.mlpRatio),
          normEps: t.normEps,
          sharedAln: false,
          attnL2Norm: t.attnL2Norm,
          dropRate: t.dropRate,
          attnDropRate: 0,
          dropPath: 0,
          crossAttention: { contextDim: c },
          rng,
        }),
    );
    this.blocks = this.addModule('blocks', new ModuleList(blocks));
    this.headNm = this.addModule('head_nm', new AdaLNBeforeHead(c, c, t.normEps, rng));
    this.head = this.addModule('head', new Linear(c, config.tokenizer.codebookSize, { rng }));
    initNextScaleWeights({ model: this, width: c, blocks, headNm: this.headNm, head: this.head }, rng.fork());
  }

  /** c = acc_embed[input level]: [B] int32 → [B, C]. */
  condition(inputLevels: tf.Tensor1D): tf.Tensor2D {
    return this.accEmbed.forward(inputLevels) as tf.Tensor2D;
  }

  /** The cross-attention context from the measured image's latent E(x) [B, h, w, Cvae]: [B, h·w, C]. */
  context(measuredLatent: tf.Tensor4D): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, h, w, cv] = measuredLatent.shape;
      return tf.add(this.ctxProj.forward(tf.reshape(measuredLatent, [B, h * w, cv])), this.ctxPos) as tf.Tensor3D;
    });
  }

  /** The input tokens of predicted levels first…first+n−1 from f̂ of the levels before each, fhats [B, n, h·w, Cvae]. */
  levelInputs(fhats: tf.Tensor4D, firstLevel: number): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, n, hw, cv] = fhats.shape;
      const words = tf.reshape(this.wordEmbed.forward(tf.reshape(fhats, [B, n * hw, cv])), [B, n, hw, -1]);
      const levels = this.lvlEmbed.forward(tf.tensor1d(Array.from({ length: n }, (_, i) => firstLevel + i), 'int32'));
      const x = tf.add(tf.add(words, tf.expandDims(this.posEmbed, 0)), tf.reshape(levels, [1, n, 1, -1]));
      return tf.reshape(x, [B, n * hw, -1]) as tf.Tensor3D;
    });
  }

  run(x: tf.Tensor3D, cond: tf.Tensor2D, context: tf.Tensor3D, options: { mask?: tf.Tensor; caches?: KVCache } = {}): tf.Tensor3D {
    return runAdaLNBlocks(this.blocks.items, x, cond, { ...options, context });
  }

  /** logits = head(head_nm(h, c)): [B, l, V]. */
  logits(h: tf.Tensor3D, cond: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => this.head.forward(this.headNm.forward(h, cond)) as tf.Tensor3D);
  }

  /**
   * Teacher forcing: f̂ of levels 0…K−2 [B, K−1, h·w, Cvae] (the inputs of levels 1…K−1), the measured latent and the
   * input level of each sample → logits [B, (K−1)·h·w, V].
   */
  forward(fhats: tf.Tensor4D, measuredLatent: tf.Tensor4D, inputLevels: tf.Tensor1D): tf.Tensor3D {
    return tf.tidy(() => {
      const cond = this.condition(inputLevels);
      const mask = this.schedule.mask();
      const h = this.run(this.levelInputs(fhats, 1), cond, this.context(measuredLatent), { mask });
      return this.logits(h, cond);
    });
  }
}
