import { tf, CheckpointError, type AdamWState, type StateDict } from '@nextx/core';

export interface FastaiAdamOptions {
  readonly sqrMom?: number;
  readonly eps?: number;
  readonly wd?: number;
  /** Which parameters get weight decay; fastai's `wd_bn_bias=False` exempts biases (and norm layers). */
  readonly decays?: (name: string) => boolean;
}

interface Slot {
  readonly name: string;
  readonly parameter: tf.Variable;
  readonly gradAvg: tf.Variable;
  readonly sqrAvg: tf.Variable;
  readonly decays: boolean;
  step: number;
}

/**
 * fastai v2's `Adam` (fastai/optimizer.py: weight_decay, average_grad(dampening), average_sqr_grad, step_stat,
 * adam_step), which is not torch's Adam: momentum is a per-step hyper-parameter (scheduled with the learning rate
 * by one-cycle) and the first de-biasing uses the current momentum; eps (1e-5) is added after the square root.
 *   p ← p·(1 − lr·wd)  (decoupled, parameters that decay)
 *   g_avg ← mom·g_avg + (1 − mom)·g;  s_avg ← sqr_mom·s_avg + (1 − sqr_mom)·g²
 *   p ← p − lr/debias1 · g_avg / (√(s_avg/debias2) + eps),  debias1 = (1 − mom)(1 − mom^t)/(1 − mom)
 */
export class FastaiAdam {
  readonly sqrMom: number;
  readonly eps: number;
  readonly wd: number;
  private readonly slots: Slot[];

  constructor(parameters: ReadonlyArray<readonly [string, tf.Variable]>, options: FastaiAdamOptions = {}) {
    this.sqrMom = options.sqrMom ?? 0.99;
    this.eps = options.eps ?? 1e-5;
    this.wd = options.wd ?? 0.01;
    const decays = options.decays ?? ((name: string) => !/(^|\.)bias$/.test(name));
    this.slots = parameters.map(([name, parameter]) => ({
      name,
      parameter,
      gradAvg: tf.tidy(() => tf.variable(tf.zerosLike(parameter), false)),
      sqrAvg: tf.tidy(() => tf.variable(tf.zerosLike(parameter), false)),
      decays: decays(name),
      step: 0,
    }));
  }

  /** One step with the current learning rate and momentum; a parameter without a gradient is left alone. */
  apply(grads: Readonly<Record<string, tf.Tensor>>, lr: number, mom: number): void {
    for (const slot of this.slots) {
      const g = grads[slot.name];
      if (!g) continue;
      slot.step += 1;
      const debias1 = ((1 - mom) * (1 - mom ** slot.step)) / (1 - mom);
      const debias2 = ((1 - this.sqrMom) * (1 - this.sqrMom ** slot.step)) / (1 - this.sqrMom);
      tf.tidy(() => {
        const p = slot.decays && this.wd !== 0 ? tf.mul(slot.parameter, 1 - lr * this.wd) : slot.parameter;
        const gradAvg = tf.add(tf.mul(slot.gradAvg, mom), tf.mul(g, 1 - mom));
        const sqrAvg = tf.add(tf.mul(slot.sqrAvg, this.sqrMom), tf.mul(tf.square(g), 1 - this.sqrMom));
        const denominator = tf.add(tf.sqrt(tf.div(sqrAvg, debias2)), this.eps);
        slot.gradAvg.assign(gradAvg);
        slot.sqrAvg.assign(sqrAvg);
        slot.parameter.assign(tf.sub(p, tf.mul(tf.div(gradAvg, denominator), lr / debias1)));
      });
    }
  }

  /**
   * Copies of the averages (`m`: grad_avg, `v`: sqr_avg; the caller disposes them) and the step, in core's optimizer
   * state layout for training checkpoints. Every parameter of an AR-Net gets a gradient every step, so one step count
   * stands for all; a state where they differ is refused rather than saved wrongly.
   */
  state(): AdamWState {
    const step = this.slots[0]?.step ?? 0;
    const odd = this.slots.find((s) => s.step !== step);
    if (odd) throw new CheckpointError('optimizer state', `'${odd.name}' took ${odd.step} steps, '${this.slots[0]?.name}' ${step}: fastai Adam's per-parameter steps differ`);
    const m: StateDict = {};
    const v: StateDict = {};
    for (const slot of this.slots) {
      m[slot.name] = tf.clone(slot.gradAvg);
      v[slot.name] = tf.clone(slot.sqrAvg);
    }
    return { step, m, v };
  }

  /** Restores a `state()`; every parameter's averages must be there with its shape. */
  loadState(state: AdamWState, source = 'optimizer state'): void {
    for (const slot of this.slots) {
      for (const [kind, store] of [['grad_avg (m)', state.m], ['sqr_avg (v)', state.v]] as const) {
        const saved = store[slot.name];
        if (!saved) throw new CheckpointError(source, `no ${kind} for parameter '${slot.name}'`);
        if (saved.shape.join() !== slot.parameter.shape.join()) throw new CheckpointError(source, `${kind} of '${slot.name}' has shape [${saved.shape}], expected [${slot.parameter.shape}]`);
      }
    }
    for (const slot of this.slots) {
      slot.gradAvg.assign(state.m[slot.name] as tf.Tensor);
      slot.sqrAvg.assign(state.v[slot.name] as tf.Tensor);
      slot.step = state.step;
    }
  }

  dispose(): void {
    for (const slot of this.slots) tf.dispose([slot.gradAvg, slot.sqrAvg]);
  }
}
