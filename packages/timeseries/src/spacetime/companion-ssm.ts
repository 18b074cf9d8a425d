import { tf, Module, normalInit, type Rng } from '@nextx/core';
import type { CompanionKwargs } from './config.js';
import { channelKernelRows, ssmConvolve } from './channel-map.js';
import { companionMatrix, krylov, normRows } from './companion.js';

/**
 * `CompanionSSM` (spec 5.2), the encoder layer: n_kernels companion SSMs with learned last column a (normalised by
 * norm_order; b and c raw), kernels K[h, l] = c_hᵀ A_h^l b_h by repeated squaring, mapped to channels and applied by
 * causal FFT convolution, plus u·skip. Parameters `a`, `b`, `c` [n_kernels, kernel_dim] and `skip` [model_dim]
 * (always registered, used only with skip_connection), drawn ~ N(0, 1) as the official 'normal' kernel_init.
 */
export class CompanionSsm extends Module {
  readonly a: tf.Variable;
  readonly b: tf.Variable;
  readonly c: tf.Variable;
  readonly skip: tf.Variable;
  private readonly rows: number[];

  constructor(
    readonly kwargs: CompanionKwargs,
    rng: Rng,
  ) {
    super();
    const { model_dim, n_kernels, kernel_dim, head_dim } = kwargs;
    this.skip = this.addParameter('skip', normalInit([model_dim], rng, 1));
    this.a = this.addParameter('a', normalInit([n_kernels, kernel_dim], rng, 1));
    this.b = this.addParameter('b', normalInit([n_kernels, kernel_dim], rng, 1));
    this.c = this.addParameter('c', normalInit([n_kernels, kernel_dim], rng, 1));
    // CompanionSSM forces kernel_repeat = 1.
    this.rows = channelKernelRows(model_dim, n_kernels, 1, head_dim);
  }

  get kernelDim(): number {
    return this.kwargs.kernel_dim;
  }

  /** get_kernel: the n_kernels kernels of length L, [n_kernels, L]. */
  kernel(length: number): tf.Tensor {
    return tf.tidy(() => {
      const a = this.kwargs.norm_order > 0 ? normRows(this.a, this.kwargs.norm_order) : this.a;
      return krylov(length, companionMatrix(a), this.b, this.c);
    });
  }

  /** u: [B, L, model_dim] → [B, L, model_dim]. */
  forward(u: tf.Tensor): tf.Tensor {
    return tf.tidy(() => ssmConvolve(u, this.kernel(u.shape[1] as number), this.rows, this.kwargs.skip_connection ? this.skip : undefined));
  }
}
