import { z } from 'zod';
import { tf } from '../tf.js';
import { CheckpointError } from '../errors.js';
import type { StateDict } from '../nn/module.js';

export const emaSchema = z.object({
  /** Shadow ← decay·shadow + (1 − decay)·weights after every optimizer step. */
  decay: z.number().min(0).max(1),
  /** Use min(decay, (1 + n)/(10 + n)) for update n (TensorFlow's num_updates warm-up), so early weights fade fast. */
  warmup: z.boolean().default(false),
});

export type EmaConfig = z.infer<typeof emaSchema>;

/**
 * Exponential moving average of parameters. The shadow starts as a copy of the weights; `swapIn` puts the averages
 * into the model (for evaluation or saving) and `swapOut` puts the trained weights back.
 */
export class Ema {
  readonly decay: number;
  readonly warmup: boolean;
  private readonly parameters: ReadonlyArray<readonly [string, tf.Variable]>;
  private readonly shadow = new Map<string, tf.Variable>();
  private backup: Map<string, tf.Tensor> | undefined;
  private updates = 0;

  constructor(parameters: ReadonlyArray<readonly [string, tf.Variable]>, config: EmaConfig) {
    this.decay = config.decay;
    this.warmup = config.warmup;
    this.parameters = parameters;
    for (const [name, p] of parameters) this.shadow.set(name, tf.tidy(() => tf.variable(tf.clone(p), false)));
  }

  get numUpdates(): number {
    return this.updates;
  }

  /** The decay used by the next update. */
  currentDecay(): number {
    return this.warmup ? Math.min(this.decay, (1 + this.updates) / (10 + this.updates)) : this.decay;
  }

  update(): void {
    const d = this.currentDecay();
    for (const [name, p] of this.parameters) {
      const s = this.shadow.get(name) as tf.Variable;
      tf.tidy(() => s.assign(tf.add(tf.mul(s, d), tf.mul(p, 1 - d))));
    }
    this.updates += 1;
  }

  /** Puts the averaged weights into the parameters (keeping the trained ones aside). */
  swapIn(): void {
    if (this.backup) return;
    this.backup = new Map();
    for (const [name, p] of this.parameters) {
      this.backup.set(name, tf.clone(p));
      p.assign(this.shadow.get(name) as tf.Variable);
    }
  }

  /** Restores the trained weights after `swapIn`. */
  swapOut(): void {
    if (!this.backup) return;
    for (const [name, p] of this.parameters) {
      const saved = this.backup.get(name) as tf.Tensor;
      p.assign(saved);
      saved.dispose();
    }
    this.backup = undefined;
  }

  /** Runs `work` with the averaged weights in place, then restores the trained ones. */
  async withAveraged<T>(work: () => T | Promise<T>): Promise<T> {
    this.swapIn();
    try {
      return await work();
    } finally {
      this.swapOut();
    }
  }

  /** Copies of the averages keyed by parameter name (the caller disposes them). */
  averages(): StateDict {
    const out: StateDict = {};
    for (const [name, s] of this.shadow) out[name] = tf.clone(s);
    return out;
  }

  loadAverages(averages: StateDict, numUpdates: number, source = 'EMA state'): void {
    for (const [name, s] of this.shadow) {
      const saved = averages[name];
      if (!saved || saved.shape.join() !== s.shape.join()) throw new CheckpointError(source, `no EMA average for '${name}' of shape [${s.shape}]`);
    }
    for (const [name, s] of this.shadow) s.assign(averages[name] as tf.Tensor);
    this.updates = numUpdates;
  }

  dispose(): void {
    this.swapOut();
    for (const s of this.shadow.values()) s.dispose();
  }
}
