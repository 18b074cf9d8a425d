import { tf } from '../tf.js';
import { InputError } from '../errors.js';
import { KVCache } from '../cache/kv-cache.js';
import type { ScaleSchedule } from './scale-schedule.js';

/** Runs the transformer's blocks on x [B, l, C] with a mask and/or caches; returns [B, l, C]. */
export type BlockRunner = (x: tf.Tensor3D, options: { mask?: tf.Tensor; caches?: KVCache }) => tf.Tensor3D;

export interface ScaleStepperOptions {
  readonly schedule: ScaleSchedule;
  readonly numLayers: number;
  /** Keep keys and values between scales (default), or recompute the whole prefix at every scale. */
  readonly kvCache?: boolean;
  readonly run: BlockRunner;
  /** The additive mask of queries [queryStart, keyLength) over keys [0, keyLength) (default: the schedule's block-causal mask). */
  readonly mask?: (keyLength: number, queryStart: number) => tf.Tensor;
}

/**
 * The scale-by-scale loop of next-scale generation (VAR's autoregressive_infer_cfg, without the model's own steps):
 * `step(x, count)` feeds the inputs of the next `count` scales and returns their hidden states. With the KV cache,
 * only the new tokens run (a single scale needs no mask: it sees its own scale and every cached one; several scales
 * at once get the block-causal rows of their positions); without it, the whole prefix is rerun under the mask and the
 * new scales' rows are sliced out. Both give the same result.
 */
export class ScaleStepper {
  private readonly caches: KVCache | undefined;
  private prefix: tf.Tensor3D | undefined;
  private fed = 0;

  constructor(private readonly options: ScaleStepperOptions) {
    this.caches = options.kvCache === false ? undefined : new KVCache(options.numLayers);
  }

  /** Scales fed so far. */
  get scalesDone(): number {
    return this.fed;
  }

  step(x: tf.Tensor3D, count = 1): tf.Tensor3D {
    const { schedule } = this.options;
    if (this.fed + count > schedule.numScales) throw new InputError(`scale stepper: ${this.fed} of ${schedule.numScales} scales fed, ${count} more asked`);
    const begin = schedule.begin(this.fed);
    const end = schedule.end(this.fed + count - 1);
    if (x.shape[1] !== end - begin) throw new InputError(`scale stepper: scales ${this.fed}…${this.fed + count - 1} hold ${end - begin} tokens; got ${x.shape[1]}`);
    const mask = (keyLength: number, queryStart: number) => (this.options.mask ?? ((k, q) => schedule.mask(k, q)))(keyLength, queryStart);
    const h = tf.tidy(() => {
      if (this.caches) return this.options.run(x, { caches: this.caches, ...(count > 1 ? { mask: mask(end, begin) } : {}) });
      const all = this.prefix ? (tf.concat([this.prefix, x], 1) as tf.Tensor3D) : tf.clone(x);
      this.prefix?.dispose();
      this.prefix = tf.keep(all);
      const full = this.options.run(all, { mask: mask(end, 0) });
      return tf.slice(full, [0, begin, 0], [-1, end - begin, -1]) as tf.Tensor3D;
    });
    this.fed += count;
    return h;
  }

  dispose(): void {
    this.caches?.dispose();
    this.prefix?.dispose();
    this.prefix = undefined;
  }
}
