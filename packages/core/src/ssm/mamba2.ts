import { tf } from '../tf.js';
import { Rng } from '../rng/rng.js';
import { InputError } from '../errors.js';
import { Module } from '../nn/module.js';
import { Linear } from '../nn/linear.js';
import { silu } from '../nn/activations.js';
import { DepthwiseCausalConv1d } from './depthwise-causal-conv1d.js';
import { ssdChunked, ssdStep } from './ssd-scan.js';
import type { LayerSsmState } from './ssm-state-cache.js';

export interface Mamba2Options {
  readonly dModel: number;
  /** N, the state size per head (mamba_ssm default 128). */
  readonly dState?: number;
  /** Kernel of the causal depthwise convolution (default 4). */
  readonly dConv?: number;
  /** d_inner = expand · dModel (default 2). */
  readonly expand?: number;
  /** P, channels per head (default 64); heads = d_inner / headDim. */
  readonly headDim?: number;
  /** G, groups sharing B and C (default 1). */
  readonly groups?: number;
  /** Chunk length of the parallel scan (default 64; mamba_ssm's kernels use 256). */
  readonly chunkSize?: number;
  /** dt is initialised log-uniformly in [dtMin, dtMax] (defaults 0.001, 0.1), floored at 1e-4. */
  readonly dtMin?: number;
  readonly dtMax?: number;
  /** RMSNormGated's eps (default 1e-5). */
  readonly normEps?: number;
  readonly rng?: Rng;
}

/**
 * A Mamba-2 layer (Dao & Gu 2024, mamba_ssm/modules/mamba2.py, rmsnorm on, norm after the gate), with its state-dict
 * names (`in_proj`, `conv1d`, `dt_bias`, `A_log`, `D`, `norm.weight`, `out_proj`):
 *   [z | xBC | dt] = in_proj(u);  xBC = SiLU(causal depthwise conv(xBC));  [x | B | C] = xBC
 *   y = SSD(x, softplus(dt + dt_bias), A = −exp(A_log), B, C) + D ⊙ x
 *   out = out_proj(RMSNorm(y ⊙ SiLU(z)) ⊙ w)          (the norm over groups of d_inner / G channels)
 * Training runs the chunked parallel scan; with a LayerSsmState, forward continues the sequence the state has
 * absorbed (any number of new positions; one position takes the recurrent step) and leaves the state updated.
 */
export class Mamba2 extends Module {
  readonly dModel: number;
  readonly dInner: number;
  readonly dState: number;
  readonly dConv: number;
  readonly headDim: number;
  readonly heads: number;
  readonly groups: number;
  readonly chunkSize: number;
  readonly normEps: number;
  readonly inProj: Linear;
  readonly conv1d: DepthwiseCausalConv1d;
  readonly dtBias: tf.Variable;
  readonly ALog: tf.Variable;
  readonly D: tf.Variable;
  readonly normWeight: tf.Variable;
  readonly outProj: Linear;

  constructor(options: Mamba2Options) {
    super();
    const rng = options.rng ?? Rng.seeded(0);
    this.dModel = options.dModel;
    this.dState = options.dState ?? 128;
    this.dConv = options.dConv ?? 4;
    this.dInner = (options.expand ?? 2) * this.dModel;
    this.headDim = options.headDim ?? 64;
    this.groups = options.groups ?? 1;
    this.chunkSize = options.chunkSize ?? 64;
    this.normEps = options.normEps ?? 1e-5;
    if (this.dInner % this.headDim !== 0) throw new RangeError(`Mamba2: d_inner ${this.dInner} is not a multiple of headDim ${this.headDim}`);
    this.heads = this.dInner / this.headDim;
    if (this.heads % this.groups !== 0) throw new RangeError(`Mamba2: ${this.heads} heads are not divisible into ${this.groups} groups`);
    const convDim = this.dInner + 2 * this.groups * this.dState;
    this.inProj = this.addModule('in_proj', new Linear(this.dModel, 2 * this.dInner + 2 * this.groups * this.dState + this.heads, { bias: false, rng: rng.fork() }));
    this.conv1d = this.addModule('conv1d', new DepthwiseCausalConv1d(convDim, this.dConv, { rng: rng.fork() }));
    const init = rng.fork();
    const dtMin = options.dtMin ?? 0.001;
    const dtMax = options.dtMax ?? 0.1;
    const dt = Array.from({ length: this.heads }, () => Math.max(1e-4, Math.exp(init.uniform() * (Math.log(dtMax) - Math.log(dtMin)) + Math.log(dtMin))));
    // Inverse of softplus, so that softplus(dt_bias) = dt at initialisation.
    this.dtBias = this.addParameter('dt_bias', tf.tensor1d(dt.map((v) => v + Math.log(-Math.expm1(-v)))));
    this.ALog = this.addParameter('A_log', tf.tensor1d(Array.from({ length: this.heads }, () => Math.log(1 + 15 * init.uniform()))));
    this.D = this.addParameter('D', tf.ones([this.heads]));
    const norm = this.addModule('norm', new GatedNormWeight(this.dInner));
    this.normWeight = norm.weight;
    this.outProj = this.addModule('out_proj', new Linear(this.dInner, this.dModel, { bias: false, rng: rng.fork() }));
  }

  /** u [B, L, dModel] → [B, L, dModel]; with `state`, continues from it and updates it. */
  forward(u: tf.Tensor, state?: LayerSsmState): tf.Tensor {
    if (u.rank !== 3 || u.shape[2] !== this.dModel) throw new InputError(`Mamba2: expected [batch, length, ${this.dModel}], got [${u.shape}]`);
    const [batch, length] = u.shape as [number, number, number];
    const { dInner, groups, dState, heads, headDim } = this;
    return tf.tidy(() => {
      const projected = this.inProj.forward(u);
      const [z, xBCraw, dtRaw] = tf.split(projected, [dInner, dInner + 2 * groups * dState, heads], 2) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const { y: convolved, tail } = this.conv1d.forward(xBCraw, state?.conv);
      const xBC = silu(convolved);
      const [x, B, C] = tf.split(xBC, [dInner, groups * dState, groups * dState], 2) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const dt = tf.softplus(tf.add(dtRaw, this.dtBias));
      const A = tf.neg(tf.exp(this.ALog));
      let y: tf.Tensor;
      let ssm: tf.Tensor;
      if (state?.ssm && length === 1) {
        const step = ssdStep(state.ssm, {
          x: tf.reshape(x, [batch, heads, headDim]),
          dt: tf.reshape(dt, [batch, heads]),
          A,
          B: tf.reshape(B, [batch, groups, dState]),
          C: tf.reshape(C, [batch, groups, dState]),
          D: this.D,
        });
        y = step.y;
        ssm = step.state;
      } else {
        const scan = ssdChunked(
          {
            x: tf.reshape(x, [batch, length, heads, headDim]),
            dt,
            A,
            B: tf.reshape(B, [batch, length, groups, dState]),
            C: tf.reshape(C, [batch, length, groups, dState]),
            D: this.D,
            ...(state?.ssm ? { initialState: state.ssm } : {}),
          },
          { chunkSize: this.chunkSize },
        );
        y = scan.y;
        ssm = scan.state;
      }
      if (state) state.update(tail, ssm, length);
      const gated = tf.mul(tf.reshape(y, [batch, length, dInner]), silu(z));
      return this.outProj.forward(this.gatedNorm(gated));
    });
  }

  /** RMSNorm over groups of d_inner / G channels (mamba_ssm's RMSNormGated with group_size), times the weight. */
  private gatedNorm(x: tf.Tensor): tf.Tensor {
    const [batch, length] = x.shape as [number, number, number];
    const grouped = tf.reshape(x, [batch, length, this.groups, this.dInner / this.groups]);
    const normed = tf.mul(grouped, tf.rsqrt(tf.add(tf.mean(tf.square(grouped), 3, true), this.normEps)));
    return tf.mul(tf.reshape(normed, [batch, length, this.dInner]), this.normWeight);
  }
}

/** Holds the `norm.weight` parameter under mamba_ssm's name. */
class GatedNormWeight extends Module {
  readonly weight: tf.Variable;
  constructor(dim: number) {
    super();
    this.weight = this.addParameter('weight', tf.ones([dim]));
  }
}
