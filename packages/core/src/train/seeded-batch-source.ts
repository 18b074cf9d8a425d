import { z } from 'zod';
import { InputError } from '../errors.js';
import { Rng, rngStateSchema, type RngState } from '../rng/rng.js';
import { iterateBatches, type BatchSource } from './batch-source.js';

const seededStateSchema = z.object({
  rng: rngStateSchema,
  batches: z.number().int().nonnegative(),
});

/**
 * A batch source whose only position is its Rng (random windows, random images, random token rows): subclasses draw
 * one batch from the Rng; the state (Rng + count) is what a training checkpoint saves, so a resumed run sees exactly
 * the batches it would have seen.
 */
export abstract class SeededBatchSource<B> implements BatchSource<B> {
  private rng: Rng;
  private batches = 0;

  constructor(seed: number) {
    this.rng = Rng.seeded(seed);
  }

  /** Makes one batch from host data, drawing its randomness from `rng` only. */
  protected abstract draw(rng: Rng): B;

  /** Batches handed out so far. */
  get count(): number {
    return this.batches;
  }

  next(): Promise<B> {
    const batch = this.draw(this.rng);
    this.batches += 1;
    return Promise.resolve(batch);
  }

  state(): { rng: RngState; batches: number } {
    return { rng: this.rng.state(), batches: this.batches };
  }

  restore(state: unknown): void {
    const parsed = seededStateSchema.safeParse(state);
    if (!parsed.success) throw new InputError(`not a batch-source state: ${parsed.error.message}`);
    this.rng = Rng.fromState(parsed.data.rng as RngState);
    this.batches = parsed.data.batches;
  }

  [Symbol.asyncIterator](): AsyncIterator<B> {
    return iterateBatches(this);
  }
}
