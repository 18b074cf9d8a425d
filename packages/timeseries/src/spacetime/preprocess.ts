import { tf, Module, type Rng } from '@nextx/core';
import type { PreprocessConfig } from './config.js';
import { channelKernelRows, ssmConvolve } from './channel-map.js';
import { fitLength } from './fft-conv.js';
import { Identity } from './mlp.js';

/** `get_pascal(n)` (spec 6): P[j, k] = (−1)^k·C(j, k) for k ≤ j — row j is the j-th order backward difference. */
export function pascalRows(n: number): number[][] {
  const rows: number[][] = [];
  for (let j = 0; j < n; j++) {
    const row = new Array<number>(n).fill(0);
    let binomial = 1;
    for (let k = 0; k <= j; k++) {
      row[k] = (k % 2 ? -1 : 1) * binomial;
      binomial = (binomial * (j - k)) / (k + 1);
    }
    rows.push(row);
  }
  return rows;
}

/** Row r of the moving-average residual kernel: e_0 − (1/w)·[1 × w, 0, …] of width W. */
function movingAverageResidualRow(window: number, width: number): number[] {
  return Array.from({ length: width }, (_, i) => (i === 0 ? 1 : 0) - (i < window ? 1 / window : 0));
}

/** A fixed-kernel pre-processing SSM: convolves each channel with its kernel, no skip. */
export abstract class PreprocessSsm extends Module {
  abstract kernel(length: number): tf.Tensor;
  abstract forward(u: tf.Tensor): tf.Tensor;
}

type PreprocessKwargs = Extract<PreprocessConfig, { method: 'differencing' | 'ma_residual' }>['kwargs'];

/** A pre-processing SSM whose kernel is its buffer `kernel` padded or cropped to L, mapped to channels as in 5.1. */
abstract class BufferKernelSsm extends PreprocessSsm {
  private readonly buffer: tf.Variable;
  private readonly rows: number[];

  protected constructor(kwargs: PreprocessKwargs, rows: number[][]) {
    super();
    const { n_kernels, kernel_dim, model_dim, kernel_repeat, head_dim } = kwargs;
    this.buffer = this.addBuffer('kernel', tf.tensor2d(rows, [n_kernels, kernel_dim]));
    this.rows = channelKernelRows(model_dim, n_kernels, kernel_repeat, head_dim);
  }

  kernel(length: number): tf.Tensor {
    return tf.tidy(() => tf.clone(fitLength(this.buffer, length)));
  }

  forward(u: tf.Tensor): tf.Tensor {
    return tf.tidy(() => ssmConvolve(u, this.kernel(u.shape[1] as number), this.rows));
  }
}

/** `DifferencingSSM` (spec 6.1): buffer `kernel` rows = Pascal rows (i mod max_diff_order), padded or cropped to L. */
export class DifferencingSsm extends BufferKernelSsm {
  constructor(kwargs: Extract<PreprocessConfig, { method: 'differencing' }>['kwargs']) {
    const { max_diff_order: m, n_kernels, kernel_dim } = kwargs;
    const pascal = pascalRows(m);
    super(kwargs, Array.from({ length: n_kernels }, (_, i) => Array.from({ length: kernel_dim }, (_, k) => (k < m ? (pascal[i % m]?.[k] ?? 0) : 0))));
  }
}

/**
 * `MovingAvgResidualSSM` (spec 6.2), as the official code computes it: its `get_kernel` builds the moving-average
 * residual kernel but returns the unmodified e_0 buffer, so the layer is the identity. `ma_window` is a parameter that
 * never gets a gradient. Kept for checkpoints that contain it; the working layer is `ResidualSsm`.
 */
export class MovingAvgResidualSsm extends BufferKernelSsm {
  constructor(kwargs: Extract<PreprocessConfig, { method: 'ma_residual' }>['kwargs'], rng: Rng) {
    const { n_kernels, kernel_dim, min_avg_window, max_avg_window } = kwargs;
    super(kwargs, Array.from({ length: n_kernels }, () => Array.from({ length: kernel_dim }, (_, k) => (k === 0 ? 1 : 0))));
    const windows = Array.from({ length: n_kernels }, () => rng.int(min_avg_window, max_avg_window - 1));
    this.addParameter('ma_window', tf.tensor2d([windows], [1, n_kernels]));
  }
}

/**
 * `ResidualSSM` (spec 6.3), the default encoder pre-processing: per kernel repeat, max_diff_order differencing
 * kernels (Pascal rows, buffer `diff_kernel`) and n_kernels − max_diff_order moving-average residuals
 * u[t] − mean(u[t−w+1..t]) with windows w drawn from [min_avg_window, max_avg_window) (buffer `ma_r_kernel`); each
 * kernel serves head_dim consecutive channels.
 */
export class ResidualSsm extends PreprocessSsm {
  readonly diffKernel: tf.Variable;
  readonly maKernel: tf.Variable;

  constructor(
    private readonly kwargs: Extract<PreprocessConfig, { method: 'residual' }>['kwargs'],
    rng: Rng,
  ) {
    super();
    const { max_diff_order: m, n_kernels, kernel_repeat: kr, min_avg_window, max_avg_window: w } = kwargs;
    const pascal = pascalRows(m);
    this.diffKernel = this.addBuffer('diff_kernel', tf.tensor2d(Array.from({ length: kr }, () => pascal).flat(), [kr * m, m]));
    const nMa = (n_kernels - m) * kr;
    const rows = Array.from({ length: nMa }, () => movingAverageResidualRow(rng.int(min_avg_window, w - 1), w));
    this.maKernel = this.addBuffer('ma_r_kernel', tf.tensor2d(rows.flat(), [nMa, w]));
  }

  kernel(length: number): tf.Tensor {
    return tf.tidy(() => {
      const { max_diff_order: m, n_kernels, kernel_repeat: kr, head_dim } = this.kwargs;
      const l = Math.max(length, m);
      const diff = tf.reshape(fitLength(this.diffKernel, l), [kr, m, l]);
      const ma = tf.reshape(fitLength(this.maKernel, l), [kr, n_kernels - m, l]);
      const rows = tf.reshape(tf.concat([diff, ma], 1), [kr * n_kernels, 1, l]);
      return tf.reshape(tf.tile(rows, [1, head_dim, 1]), [kr * n_kernels * head_dim, l]);
    });
  }

  forward(u: tf.Tensor): tf.Tensor {
    return tf.tidy(() => ssmConvolve(u, this.kernel(u.shape[1] as number), undefined));
  }
}

export function buildPreprocess(config: PreprocessConfig, rng: Rng): PreprocessSsm | Identity {
  switch (config.method) {
    case 'differencing':
      return new DifferencingSsm(config.kwargs);
    case 'ma_residual':
      return new MovingAvgResidualSsm(config.kwargs, rng);
    case 'residual':
      return new ResidualSsm(config.kwargs, rng);
    default:
      return new Identity();
  }
}
