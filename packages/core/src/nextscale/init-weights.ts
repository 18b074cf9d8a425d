import { tf } from '../tf.js';
import type { Rng } from '../rng/rng.js';
import { Embedding } from '../nn/embedding.js';
import { truncatedNormalInit } from '../nn/init.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import type { AdaLNBeforeHead } from './ada-ln-before-head.js';
import type { AdaLNSelfAttn } from './ada-ln-self-attn.js';

/** The arguments of the official `VAR.init_weights`, with the values `build_vae_var` and `arg_util` pass. */
export interface NextScaleInitOptions {
  /** `init_adaln` (arg `aln`): multiplier of the AdaLN weights other than the γ rows, and of head_nm's (0.5). */
  readonly initAdaln?: number;
  /** `init_adaln_gamma` (arg `alng`): multiplier of the γ1, γ2 rows of each block's AdaLN (1e-5). */
  readonly initAdalnGamma?: number;
  /** `init_head` (arg `hd`): multiplier of the head's weight (0.02); negative leaves it alone. */
  readonly initHead?: number;
  /** `init_std` (arg `ini`): std of every Linear and Embedding; negative means √(1/3C) (default −1). */
  readonly initStd?: number;
}

/** The parts of an AdaLN next-scale transformer the official init touches. */
export interface NextScaleInitTarget {
  readonly model: Module;
  readonly width: number;
  readonly blocks: readonly AdaLNSelfAttn[];
  readonly headNm: AdaLNBeforeHead;
  readonly head: Linear;
}

/**
 * The official `VAR.init_weights`, applied to a constructed transformer (what `build_vae_var` does after `VAR(...)`):
 *  1. every Linear weight and every Embedding ~ trunc_normal(std, a=−2, b=2), std = √(1/3C); Linear biases 0;
 *  2. head.weight × init_head;
 *  3. head_nm.ada_lin weight × init_adaln, bias 0;
 *  4. per block: attn.proj and ffn.fc2 weights ÷ √(2·depth); ada_lin's γ1, γ2 rows × init_adaln_gamma and its scale
 *     and shift rows × init_adaln (with shared_aln, the same on ada_gss[:, :, :2] and ada_gss[:, :, 2:]).
 * What init_weights does not touch keeps the constructor's value (positional parameters, q_bias, v_bias,
 * scale_mul_1H11, ada_gss before step 4). Linears of a block's cross-attention get step 1 like every Linear.
 */
export function initNextScaleWeights(target: NextScaleInitTarget, rng: Rng, options: NextScaleInitOptions = {}): void {
  const c = target.width;
  const initStd = options.initStd === undefined || options.initStd < 0 ? Math.sqrt(1 / c / 3) : options.initStd;
  const initAdaln = options.initAdaln ?? 0.5;
  const initAdalnGamma = options.initAdalnGamma ?? 1e-5;
  const initHead = options.initHead ?? 0.02;
  for (const [, module] of target.model.namedModules()) {
    if (module instanceof Linear) {
      redraw(module.weight, rng, initStd);
      if (module.bias) zero(module.bias);
    } else if (module instanceof Embedding) {
      redraw(module.weight, rng, initStd);
    }
  }
  if (initHead >= 0) scale(target.head.weight, initHead);
  scale(target.headNm.adaLin.linear.weight, initAdaln);
  const depth = target.blocks.length;
  // AdaLN chunks in the official order γ1, γ2, s1, s2, β1, β2: the first 2C of the 6C outputs are the γ rows.
  const adalnScales = Float32Array.from({ length: 6 * c }, (_, i) => (i < 2 * c ? initAdalnGamma : initAdaln));
  for (const block of target.blocks) {
    scale(block.attn.out.weight, 1 / Math.sqrt(2 * depth));
    scale(block.ffn.fc2.weight, 1 / Math.sqrt(2 * depth));
    // Linear weights are stored [in, out]: the torch rows (outputs) are the last axis here, as ada_gss's [1, 1, 6, C].
    if (block.adaLin) scale(block.adaLin.linear.weight, tf.tensor1d(adalnScales));
    if (block.adaGss) scale(block.adaGss, tf.tensor4d(adalnScales, [1, 1, 6, c]));
  }
}

function redraw(variable: tf.Variable, rng: Rng, std: number): void {
  const fresh = truncatedNormalInit(variable.shape, rng, std);
  variable.assign(fresh);
  fresh.dispose();
}

function zero(variable: tf.Variable): void {
  tf.tidy(() => variable.assign(tf.zerosLike(variable)));
}

/** variable ← variable · factor (a number, or a tensor that broadcasts over it; disposed here). */
function scale(variable: tf.Variable, factor: number | tf.Tensor): void {
  tf.tidy(() => variable.assign(tf.mul(variable, factor)));
  if (typeof factor !== 'number') factor.dispose();
}
