import { tf } from '../tf.js';
import { CheckpointError } from '../errors.js';
import type { StateDict } from '../nn/module.js';

/** Whether a parameter gets weight decay; the default decays only matrices that are not embeddings. */
export type DecayPredicate = (name: string, parameter: tf.Variable) => boolean;

/**
 * nanoGPT's grouping: weight matrices (rank ≥ 2) decay; biases, norm weights (rank 1) and embedding tables do not.
 * Embeddings are recognised by name (`wte`, `wpe`, `*emb*`).
 */
export const decayMatricesOnly: DecayPredicate = (name, parameter) =>
  parameter.rank >= 2 && !/(^|\.)(wte|wpe|[^.]*emb[^.]*)(\.|$)/i.test(name);

export interface AdamWOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  readonly weightDecay?: number;
  readonly decay?: DecayPredicate;
}

/** The optimizer state that exact resume needs: step count and the two moments per parameter. */
export interface AdamWState {
  readonly step: number;
  readonly m: StateDict;
  readonly v: StateDict;
}

interface Slot {
  readonly name: string;
  readonly parameter: tf.Variable;
  readonly m: tf.Variable;
  readonly v: tf.Variable;
  readonly decays: boolean;
}

/**
 * AdamW as torch.optim.AdamW (Loshchilov & Hutter 2019, decoupled weight decay):
 * p ← p − lr·(m̂/(√v̂ + eps) + wd·p), m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ), the decay term only for parameters the
 * predicate selects.
 */
export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly slots: Slot[];
  private t = 0;

  constructor(parameters: ReadonlyArray<readonly [string, tf.Variable]>, options: AdamWOptions = {}) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    const decay = options.decay ?? decayMatricesOnly;
    this.slots = parameters.map(([name, parameter]) => ({
      name,
      parameter,
      m: zeroState(parameter),
      v: zeroState(parameter),
      decays: decay(name, parameter),
    }));
  }

  /** Optimizer steps taken so far. */
  get step(): number {
    return this.t;
  }

  /** Names of the parameters that get weight decay. */
  decayedNames(): string[] {
    return this.slots.filter((s) => s.decays).map((s) => s.name);
  }

  /** One update from gradients keyed by parameter name (a missing gradient leaves its parameter unchanged). */
  apply(grads: Readonly<Record<string, tf.Tensor>>, lr: number): void {
    this.t += 1;
    const correction1 = 1 - this.beta1 ** this.t;
    const correction2 = 1 - this.beta2 ** this.t;
    for (const slot of this.slots) {
      const g = grads[slot.name];
      if (!g) continue;
      tf.tidy(() => {
        const m = tf.add(tf.mul(slot.m, this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(slot.v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        const mHat = tf.div(m, correction1);
        const vHat = tf.div(v, correction2);
        let update = tf.div(mHat, tf.add(tf.sqrt(vHat), this.eps));
        if (slot.decays && this.weightDecay !== 0) update = tf.add(update, tf.mul(slot.parameter, this.weightDecay));
        slot.m.assign(m);
        slot.v.assign(v);
        slot.parameter.assign(tf.sub(slot.parameter, tf.mul(update, lr)));
      });
    }
  }

  /** Copies of the moments (the caller disposes them) and the step. */
  state(): AdamWState {
    const m: StateDict = {};
    const v: StateDict = {};
    for (const slot of this.slots) {
      m[slot.name] = tf.clone(slot.m);
      v[slot.name] = tf.clone(slot.v);
    }
    return { step: this.t, m, v };
  }

  /** Restores a state from `state()`; every parameter's moments must be present with the right shape. */
  loadState(state: AdamWState, source = 'optimizer state'): void {
    for (const slot of this.slots) {
      for (const [kind, store] of [['m', state.m], ['v', state.v]] as const) {
        const saved = store[slot.name];
        if (!saved) throw new CheckpointError(source, `no ${kind} for parameter '${slot.name}'`);
        if (saved.shape.join() !== slot.parameter.shape.join()) {
          throw new CheckpointError(source, `${kind} of '${slot.name}' has shape [${saved.shape}], expected [${slot.parameter.shape}]`);
        }
      }
    }
    for (const slot of this.slots) {
      slot.m.assign(state.m[slot.name] as tf.Tensor);
      slot.v.assign(state.v[slot.name] as tf.Tensor);
    }
    this.t = state.step;
  }

  dispose(): void {
    for (const slot of this.slots) {
      slot.m.dispose();
      slot.v.dispose();
    }
  }
}

/** A non-trainable zero Variable shaped like `parameter` (tidy frees the initial value; Variables survive tidy). */
function zeroState(parameter: tf.Variable): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zerosLike(parameter), false));
}
