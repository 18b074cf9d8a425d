import { initNextScaleWeights, type NextScaleInitOptions, type Rng } from '@nextx/core';
import type { VarTransformer } from './var-model.js';

/** The arguments of the official `VAR.init_weights` (core's next-scale init), with the values `build_vae_var` passes. */
export type VarInitOptions = NextScaleInitOptions;

/**
 * The official `VAR.init_weights`, applied to a constructed transformer (what `build_vae_var` does after `VAR(...)`):
 * core's `initNextScaleWeights` over every Linear and Embedding of the model (word_embed, class_emb, lvl_embed,
 * shared_ada_lin, the blocks, head_nm, head). What init_weights does not touch keeps the constructor's value:
 * pos_start, pos_1LC (trunc_normal √(1/3C)), q_bias, v_bias (0), scale_mul_1H11 (ln 4), ada_gss (N(0, 1/C) before
 * the scaling of the γ and modulation rows).
 */
export function initVarWeights(model: VarTransformer, rng: Rng, options: VarInitOptions = {}): void {
  initNextScaleWeights({ model, width: model.sizes.width, blocks: model.blocks.items, headNm: model.headNm, head: model.head }, rng, options);
}
