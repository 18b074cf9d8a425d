import { tf } from '../tf.js';
import type { Rng } from '../rng/rng.js';
import { Module } from './module.js';
import { Linear } from './linear.js';
import { silu } from './activations.js';
import { layerNorm } from './layer-norm.js';
import { nativeLayerNorm } from '../backend/wasm/blas-norms.js';

/** AdaLN modulation (DiT, VAR): x·(1 + scale) + shift, broadcasting shift/scale [B, 1, C] over tokens. */
export function modulate(x: tf.Tensor, shift: tf.Tensor, scale: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(x, tf.add(scale, 1)), shift));
}

/**
 * modulate(LayerNorm(x), shift, scale): in one native pass where @nextx/native-blas runs it (inference, shift and
 * scale [B, 1, C] or [1, 1, C]), else the two steps.
 */
export function modulatedLayerNorm(x: tf.Tensor, eps: number, shift: tf.Tensor, scale: tf.Tensor, weight?: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const native = nativeLayerNorm(x, eps, weight, bias, { scale, shift });
  if (native) return native;
  return tf.tidy(() => modulate(layerNorm(x, eps, weight, bias), shift, scale));
}

export interface AdaLNModulationOptions {
  readonly bias?: boolean;
  /**
   * Name of the Linear. Default '1', so a member called `ada_lin` / `adaLN_modulation` has the torch names of
   * `nn.Sequential(nn.SiLU(), nn.Linear(D, n·C))`: `ada_lin.1.weight`, `ada_lin.1.bias`.
   */
  readonly linearName?: string;
  /** Zero-initialise the Linear (DiT's adaLN-Zero); default false (torch default init). */
  readonly zeroInit?: boolean;
  readonly rng?: Rng;
}

/**
 * Linear(SiLU(cond)) split into `chunks` pieces of `dim` channels. Chunk i is output channels
 * [i·dim, (i+1)·dim) — the order of torch's `.view(B, 1, n, C).unbind(2)` (VAR) and `.chunk(n, dim=1)` (DiT).
 * VAR's AdaLNSelfAttn reads its 6 chunks as gamma1, gamma2, scale1, scale2, shift1, shift2; DiT's as
 * shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp; the caller names them.
 */
export class AdaLNModulation extends Module {
  readonly linear: Linear;

  constructor(
    readonly condDim: number,
    readonly dim: number,
    readonly chunks: number,
    options: AdaLNModulationOptions = {},
  ) {
    super();
    const linear = new Linear(condDim, chunks * dim, { bias: options.bias ?? true, rng: options.rng });
    if (options.zeroInit) {
      tf.tidy(() => {
        linear.weight.assign(tf.zerosLike(linear.weight));
        if (linear.bias) linear.bias.assign(tf.zerosLike(linear.bias));
      });
    }
    this.linear = this.addModule(options.linearName ?? '1', linear);
  }

  /** cond [B, D] → `chunks` tensors [B, 1, dim] (cond [B, L, D] → [B, L, dim], per-token modulation). */
  forward(cond: tf.Tensor): tf.Tensor[] {
    return tf.tidy(() => {
      const out = this.linear.forward(silu(cond));
      const shaped = cond.rank === 2 ? tf.expandDims(out, 1) : out;
      return tf.split(shaped, this.chunks, shaped.rank - 1);
    });
  }
}
