import { tf, Module, normalInit, type Rng } from '@nextx/core';
import type { ClosedLoopKwargs } from './config.js';
import { ssmConvolve } from './channel-map.js';
import { companionMatrix, krylov, normRows } from './companion.js';

/** What the decoder returns: the layer output and its prediction of the next layer input (none when inference only). */
export interface ClosedLoopOutput {
  readonly y: tf.Tensor;
  readonly next: tf.Tensor | undefined;
}

/**
 * `ClosedLoopCompanionSSM` (spec 8), the decoder: one companion SSM per channel with parameters a, b, c, k
 * [model_dim, kernel_dim] (and an unused `skip`). The closed loop forecasts by rolling the state after the lag window
 * forward with A + b_n k_nᵀ; the open loop is the teacher-forced pass over the lag window used in training.
 * Quirks of the official code kept because a trained checkpoint depends on them (spec 12.2, 12.3, 12.10): the lag
 * state is built with raw b and the next input predicted with raw k, while A + BK uses the normalised b, k; the first
 * forecast is c_nᵀ x_{L−1}; with norm_order 0, A + BK uses b in place of k.
 */
export class ClosedLoopCompanionSsm extends Module {
  readonly a: tf.Variable;
  readonly b: tf.Variable;
  readonly c: tf.Variable;
  readonly k: tf.Variable;
  readonly skip: tf.Variable;
  horizon: number;

  constructor(
    readonly kwargs: ClosedLoopKwargs,
    rng: Rng,
  ) {
    super();
    const { model_dim, kernel_dim } = kwargs;
    this.skip = this.addParameter('skip', normalInit([model_dim], rng, 1));
    this.a = this.addParameter('a', normalInit([model_dim, kernel_dim], rng, 1));
    this.b = this.addParameter('b', normalInit([model_dim, kernel_dim], rng, 1));
    this.c = this.addParameter('c', normalInit([model_dim, kernel_dim], rng, 1));
    this.k = this.addParameter('k', normalInit([model_dim, kernel_dim], rng, 1));
    this.horizon = kwargs.horizon;
  }

  private normed(x: tf.Tensor): tf.Tensor {
    return this.kwargs.norm_order > 0 ? normRows(x, this.kwargs.norm_order) : x;
  }

  /** The decoder's matrices: a_n, b_n, c_n, k_n, A = companion(a_n) and A_BK = A + b_n k_nᵀ. */
  matrices(): { aN: tf.Tensor; bN: tf.Tensor; cN: tf.Tensor; kN: tf.Tensor; A: tf.Tensor; ABK: tf.Tensor } {
    return tf.tidy(() => {
      const [aN, bN, cN] = [this.normed(this.a), this.normed(this.b), this.normed(this.c)];
      const kN = this.kwargs.norm_order > 0 ? normRows(this.k, this.kwargs.norm_order) : this.b;
      const A = companionMatrix(aN);
      const [h, n] = this.a.shape as [number, number];
      const ABK = tf.add(A, tf.mul(tf.reshape(bN, [h, n, 1]), tf.reshape(kN, [h, 1, n])));
      return { aN, bN, cN, kN, A, ABK };
    });
  }

  /** x_{L−1} = Σ_i A^{L−1−i} b u_i, the state after the lag window: u [B, H, L] (channels first) → [B, H, N]. */
  lastState(A: tf.Tensor, uChannelsFirst: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const length = uChannelsFirst.shape[2] as number;
      const kx = tf.reverse(krylov(length, A, this.b), 2); // [H, N, L], column i = A^{L−1−i} b
      const u = tf.transpose(uChannelsFirst, [1, 2, 0]); // [H, L, B]
      return tf.transpose(tf.matMul(kx, u), [2, 0, 1]);
    });
  }

  /** The forecast: u [B, L, H] → y [B, horizon, H] and, unless inference only, the next-input prediction k·X_j. */
  closedLoop(u: tf.Tensor, inferenceOnly: boolean): ClosedLoopOutput {
    const out = tf.tidy(() => {
      const { A, ABK, cN } = this.matrices();
      const xLast = this.lastState(A, tf.transpose(u, [0, 2, 1]));
      const states = krylov(this.horizon, ABK, xLast); // [B, H, N, horizon]
      const readout = (w: tf.Tensor) => tf.transpose(tf.sum(tf.mul(states, tf.reshape(w, [1, w.shape[0] as number, w.shape[1] as number, 1])), 2), [0, 2, 1]);
      return inferenceOnly ? [readout(cN)] : [readout(cN), readout(this.k)];
    });
    return { y: out[0] as tf.Tensor, next: out[1] };
  }

  /** Teacher-forced pass over the lag window: y = conv(u, c_nᵀA^l b_n), next = conv(u, k_nᵀA^l b_n), [B, L, H]. */
  openLoop(u: tf.Tensor, inferenceOnly: boolean): ClosedLoopOutput {
    const out = tf.tidy(() => {
      const { A, bN, cN } = this.matrices();
      const length = u.shape[1] as number;
      const y = ssmConvolve(u, krylov(length, A, bN, cN), undefined);
      if (inferenceOnly) return [y];
      // Spec 8 says the open loop normalises k "always" (not b in its place); with norm_order 0 nextx uses raw k.
      const kN = this.normed(this.k);
      return [y, ssmConvolve(u, krylov(length, A, bN, kN), undefined)];
    });
    return { y: out[0] as tf.Tensor, next: out[1] };
  }
}
