import { z } from 'zod';
import { InputError } from '../errors.js';

export const entropyRateBufferStateSchema = z.object({
  capacity: z.number().int().positive(),
  sigmas: z.array(z.number()),
  metrics: z.array(z.number()),
});
export type EntropyRateBufferState = z.infer<typeof entropyRateBufferStateSchema>;

/**
 * The FIFO ring of (σ, metric) pairs training pushes and the entropy profile is rebuilt from (official
 * `entropy_fifo_push`, capacity `entropy_buffer_size`): once full, each new pair replaces the oldest. Its state
 * (oldest first) goes into a training checkpoint so a resumed run rebuilds the same profile.
 */
export class EntropyRateBuffer {
  private readonly sigmaRing: Float32Array;
  private readonly metricRing: Float32Array;
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new InputError(`an entropy buffer needs a positive whole capacity; got ${capacity}`);
    this.sigmaRing = new Float32Array(capacity);
    this.metricRing = new Float32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(sigmas: ArrayLike<number>, metrics: ArrayLike<number>): void {
    if (sigmas.length !== metrics.length) throw new InputError(`entropy buffer: ${sigmas.length} σ values but ${metrics.length} metrics`);
    for (let i = 0; i < sigmas.length; i++) {
      this.sigmaRing[this.next] = sigmas[i] as number;
      this.metricRing[this.next] = metrics[i] as number;
      this.next = (this.next + 1) % this.capacity;
      this.count = Math.min(this.count + 1, this.capacity);
    }
  }

  /** The pairs held, oldest first. */
  pairs(): { sigmas: Float32Array; metrics: Float32Array } {
    const start = this.count < this.capacity ? 0 : this.next;
    const order = Array.from({ length: this.count }, (_, i) => (start + i) % this.capacity);
    return { sigmas: Float32Array.from(order, (j) => this.sigmaRing[j] as number), metrics: Float32Array.from(order, (j) => this.metricRing[j] as number) };
  }

  state(): EntropyRateBufferState {
    const { sigmas, metrics } = this.pairs();
    return { capacity: this.capacity, sigmas: Array.from(sigmas), metrics: Array.from(metrics) };
  }

  static fromState(state: unknown, source = 'entropy buffer state'): EntropyRateBuffer {
    const parsed = entropyRateBufferStateSchema.safeParse(state);
    if (!parsed.success || parsed.data.sigmas.length !== parsed.data.metrics.length || parsed.data.sigmas.length > parsed.data.capacity) {
      throw new InputError(`${source}: not an entropy buffer state (capacity, and as many σ values as metrics, at most capacity)`);
    }
    const buffer = new EntropyRateBuffer(parsed.data.capacity);
    buffer.push(parsed.data.sigmas, parsed.data.metrics);
    return buffer;
  }
}
