import { tf } from '@nextx/core';

/**
 * AR-Net's sparsity regulariser (paper eq. 4; fastai_mods.py `SparsifyAR`):
 * R(W) = mean_ij [2 / (1 + exp(−c1·|w_ij|^(1/c2))) − 1], which is mean tanh(c1·a/2) with a = |w|^(1/c2).
 *
 * The gradient is written out, (1/n)·2c1·e^{−c1 a}/(1 + e^{−c1 a})² · (1/c2)|w|^(1/c2 − 1) · sign(w), and is 0 at
 * w = 0. torch's autograd returns NaN there when c2 > 1 (0·∞), which would turn that weight and everything after it
 * into NaN; a weight exactly 0 does not occur in float training, so no trained model differs (see the README).
 */
export function sparsityRegulariser(w: tf.Tensor, c1: number, c2: number): tf.Scalar {
  const regulariser = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x]);
    const value = tf.tidy(() => {
      const a = tf.pow(tf.abs(x), 1 / c2);
      return tf.mean(tf.sub(tf.div(2, tf.add(1, tf.exp(tf.mul(a, -c1)))), 1)) as tf.Scalar;
    });
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [input] = saved as [tf.Tensor];
        const abs = tf.abs(input);
        const e = tf.exp(tf.mul(tf.pow(abs, 1 / c2), -c1));
        const sigmoidSlope = tf.div(tf.mul(e, 2 * c1), tf.square(tf.add(1, e)));
        const powerSlope = tf.mul(tf.pow(abs, 1 / c2 - 1), 1 / c2);
        const slope = tf.mul(tf.mul(sigmoidSlope, powerSlope), tf.sign(input));
        const finite = tf.where(tf.equal(input, 0), tf.zerosLike(slope), slope);
        return tf.mul(finite, tf.div(dy, input.size));
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return regulariser(w) as tf.Scalar;
}

/** Where in training a batch is: fastai's `epoch`, `iter` (batch index in the epoch) and their counts. */
export interface BatchPosition {
  readonly epoch: number;
  readonly iter: number;
  readonly nEpoch: number;
  readonly nIter: number;
}

/**
 * λ of the sparsity regulariser, ramped quadratically in training progress (fastai_mods.py `SparsifyAR.after_loss`),
 * called once per training batch:
 *   progress = ((1 + iter)/n_iter + epoch)/n_epoch, q = (progress − start)/(full − start),
 *   λ = 0 for q ≤ 0, λ_max·q² for q < 1, λ_max after.
 *
 * The official callback returns early when the *previous* λ is 0, so once λ has been 0 (the first batch whenever
 * start > 0) it stays 0 and the regulariser never acts. That is a training-loop bug, documented and not copied by
 * default; `officialEarlyReturn: true` reproduces it (the fixture's `sched.run1`).
 */
export class SparsityRamp {
  private lam: number | undefined;

  constructor(
    readonly lamMax: number,
    readonly startPct: number,
    readonly fullPct: number,
    readonly officialEarlyReturn = false,
  ) {}

  /** λ for this batch (also the value kept for the next call). */
  next(position: BatchPosition): number {
    if (this.lamMax === 0) return 0;
    if (this.officialEarlyReturn && this.lam === 0) return 0;
    const progress = ((1 + position.iter) / position.nIter + position.epoch) / position.nEpoch;
    const q = (progress - this.startPct) / (this.fullPct - this.startPct);
    this.lam = q <= 0 ? 0 : q < 1 ? this.lamMax * q * q : this.lamMax;
    return this.lam;
  }

  /** The λ of the last call (0 before the first). */
  get current(): number {
    return this.lam ?? 0;
  }

  /** What `next` remembers between calls (undefined before the first), for training checkpoints. */
  state(): number | undefined {
    return this.lam;
  }

  restore(lam: number | undefined): void {
    this.lam = lam;
  }
}
