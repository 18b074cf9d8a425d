import { tf } from '../tf.js';
import type { Rng } from '../rng/rng.js';
import { Conv2d } from '../nn/conv2d.js';
import { Module, ModuleList } from '../nn/module.js';
import { phiIndices } from './phi-schedule.js';

/**
 * VAR's Phi: φ(u) = (1 − ρ)·u + ρ·Conv3×3(u), padding 1, with bias (ρ = |quant_resi|). Like the official class it is
 * the conv itself, so its weight and bias sit directly under its name.
 */
export class Phi extends Conv2d {
  constructor(
    channels: number,
    readonly ratio: number,
    rng: Rng,
  ) {
    super(channels, channels, 3, { padding: 1, rng });
  }

  override forward(u: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => tf.add(tf.mul(u, 1 - this.ratio), tf.mul(super.forward(u), this.ratio)) as tf.Tensor4D);
  }
}

export interface ResidualPhiOptions {
  readonly channels: number;
  readonly quantResi: number;
  /** 0: one φ per scale; 1: one φ for every scale; n > 1: n φ chosen by tick (VAR's default 4). */
  readonly shareQuantResi: number;
  readonly numScales: number;
  /** Number of φ when not shared (official default_qresi_counts; 0 = one per scale). */
  readonly defaultQresiCounts?: number;
  readonly rng: Rng;
}

/**
 * The φ convs of VAR's multi-scale quantizer under the official state-dict names: `qresi_ls.{j}` (partially shared),
 * `qresi` (one shared), `{k}` (one per scale). |quant_resi| ≤ 1e-6 makes every φ the identity (no parameters).
 */
export class ResidualPhi extends Module {
  private readonly phis: readonly (Phi | undefined)[];
  private readonly choice: readonly number[];

  constructor(options: ResidualPhiOptions) {
    super();
    const ratio = Math.abs(options.quantResi);
    const identity = ratio <= 1e-6;
    const make = () => (identity ? undefined : new Phi(options.channels, ratio, options.rng.fork()));
    const share = options.shareQuantResi;
    const count = share === 0 ? options.defaultQresiCounts || options.numScales : share === 1 ? 1 : share;
    const phis = Array.from({ length: count }, make);
    if (!identity) {
      const modules = phis as Phi[];
      if (share === 1) this.addModule('qresi', modules[0] as Phi);
      else if (share === 0) modules.forEach((phi, k) => this.addModule(String(k), phi));
      else this.addModule('qresi_ls', new ModuleList(modules));
    }
    this.phis = phis;
    this.choice = share === 1 ? Array.from({ length: options.numScales }, () => 0) : phiIndices(options.numScales, count);
  }

  /** The φ index scale k uses. */
  indexFor(scale: number): number {
    return this.choice[scale] as number;
  }

  forward(u: tf.Tensor4D, scale: number): tf.Tensor4D {
    const phi = this.phis[this.indexFor(scale)];
    return phi ? phi.forward(u) : tf.clone(u);
  }
}
