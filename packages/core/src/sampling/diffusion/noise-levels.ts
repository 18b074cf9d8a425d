import { tf } from '../../tf.js';
import { InputError } from '../../errors.js';

/**
 * A sampler's noise schedule: n + 1 levels shared by every element (strictly decreasing, ending with 0), or a tensor
 * [n + 1, ...s] of per-element levels with s broadcastable to the sample (per token, per frame, per element), each
 * element's levels non-increasing and ending with 0. An element whose level is 0 is clean and left as it is.
 */
export type SigmaSchedule = ArrayLike<number> | tf.Tensor;

/** A validated schedule: each level as a tensor for the arithmetic, and its extremes on the host for the decisions. */
export class NoiseLevels {
  readonly steps: number;
  private readonly perElement: tf.Tensor | undefined;
  /** The per-element levels on the host, [n + 1, size]. */
  private readonly hostLevels: Float32Array | undefined;
  private readonly shared: Float64Array | undefined;
  private readonly highest: Float64Array;
  private readonly lowest: Float64Array;

  constructor(schedule: SigmaSchedule) {
    if (schedule instanceof tf.Tensor) {
      this.hostLevels = Float32Array.from(schedule.dataSync());
      const { highest, lowest } = checkPerElement(schedule.shape, this.hostLevels);
      this.perElement = tf.keep(tf.tensor(this.hostLevels, schedule.shape));
      [this.highest, this.lowest] = [highest, lowest];
    } else {
      this.shared = Float64Array.from(schedule);
      checkShared(this.shared);
      [this.highest, this.lowest] = [this.shared, this.shared];
    }
    this.steps = this.highest.length - 1;
  }

  /** Level i as a tensor broadcastable to the sample: a scalar, or [...s]. Made in the caller's tidy scope. */
  level(i: number): tf.Tensor {
    if (this.shared) return tf.scalar(this.shared[i] as number);
    const all = this.perElement as tf.Tensor;
    return tf.squeeze(tf.slice(all, [i], [1]), [0]);
  }

  /** The largest σ of level i (what progress reports, and the initial noise scale when it is shared). */
  max(i: number): number {
    return this.highest[i] as number;
  }

  /** The smallest σ of level i: 0 when some element is already clean there. */
  min(i: number): number {
    return this.lowest[i] as number;
  }

  /** Whether some element's σ at level i satisfies `test` (decided on the host). */
  some(i: number, test: (sigma: number) => boolean): boolean {
    if (this.shared) return test(this.shared[i] as number);
    const values = this.hostLevels as Float32Array;
    const size = values.length / (this.steps + 1);
    for (let e = i * size; e < (i + 1) * size; e++) if (test(values[e] as number)) return true;
    return false;
  }

  /** Refuses per-element levels that do not broadcast to the sample's shape. */
  checkFits(shape: readonly number[]): void {
    if (!this.perElement) return;
    const levelShape = this.perElement.shape.slice(1);
    const offset = shape.length - levelShape.length;
    const fits = offset >= 0 && levelShape.every((d, k) => d === 1 || d === shape[offset + k]);
    if (!fits) throw new InputError(`σ schedule levels [${levelShape}] do not broadcast to the sample [${shape}]`);
  }

  dispose(): void {
    this.perElement?.dispose();
  }
}

function checkShared(sigmas: Float64Array): void {
  if (sigmas.length < 2) throw new InputError('a σ schedule needs at least one step (two levels)');
  for (let i = 1; i < sigmas.length; i++) {
    if (!((sigmas[i] as number) < (sigmas[i - 1] as number))) throw new InputError('σ schedule must be strictly decreasing');
  }
  if (sigmas[sigmas.length - 1] !== 0) throw new InputError('σ schedule must end with 0');
}

function checkPerElement(shape: readonly number[], values: Float32Array): { highest: Float64Array; lowest: Float64Array } {
  const levels = shape[0] ?? 0;
  if (shape.length < 1 || levels < 2) throw new InputError(`a per-element σ schedule is [steps + 1, ...], got [${shape}]`);
  const size = values.length / levels;
  const highest = new Float64Array(levels).fill(-Infinity);
  const lowest = new Float64Array(levels).fill(Infinity);
  for (let i = 0; i < levels; i++) {
    for (let e = 0; e < size; e++) {
      const sigma = values[i * size + e] as number;
      const before = i > 0 ? (values[(i - 1) * size + e] as number) : Infinity;
      if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new InputError(`σ schedule: level ${i}, element ${e} is ${sigma}; levels are finite and ≥ 0`);
      if (sigma > before) throw new InputError(`σ schedule: element ${e} rises from ${before} to ${sigma} at level ${i}; levels must not increase`);
      if (i === levels - 1 && sigma !== 0) throw new InputError(`σ schedule: element ${e} ends at ${sigma}; every element must end at 0`);
      highest[i] = Math.max(highest[i] as number, sigma);
      lowest[i] = Math.min(lowest[i] as number, sigma);
    }
  }
  return { highest, lowest };
}
