import { z } from 'zod';
import { InputError } from '../errors.js';
import { Rng, rngStateSchema, type RngState } from '../rng/rng.js';
import { iterateBatches, type BatchSource } from './batch-source.js';

/** One batch of an epoch: which rows, and where it stands in the run. */
export interface EpochBatch {
  /** 0-based epoch. */
  readonly epoch: number;
  /** 0-based batch index within the epoch. */
  readonly index: number;
  /** Batches per epoch. */
  readonly batches: number;
  /** Row indices of this batch, in the epoch's order. */
  readonly rows: Int32Array;
}

export interface EpochBatchSourceOptions {
  /** Rows of the data set (0…rows−1). */
  readonly rows: number;
  readonly batchSize: number;
  /** A fresh random order every epoch (default true); false keeps 0…rows−1. */
  readonly shuffle?: boolean;
  /** Leave out the last partial batch of an epoch (default false). */
  readonly dropLast?: boolean;
  readonly seed?: number;
}

const epochStateSchema = z.object({
  /** The Rng before the current epoch's order was drawn. */
  rng: rngStateSchema,
  epoch: z.number().int().nonnegative(),
  index: z.number().int().nonnegative(),
});

export type EpochBatchSourceState = z.infer<typeof epochStateSchema>;

/**
 * Epochs over a data set in batches, as torch's `DataLoader(shuffle, drop_last)`: every epoch a new order from the Rng
 * (`Rng.permutation`), then consecutive slices of batchSize rows. The state is the Rng before the epoch's order was
 * drawn plus the position in the epoch, so a restored source redraws the same order and continues with the same
 * batch.
 */
export class EpochBatchSource implements BatchSource<EpochBatch> {
  readonly batches: number;
  private rng: Rng;
  private epochStart: RngState;
  private epoch = 0;
  private index = 0;
  private order: Int32Array | undefined;

  constructor(private readonly options: EpochBatchSourceOptions) {
    const { rows, batchSize } = options;
    if (!Number.isInteger(rows) || rows < 1) throw new InputError(`an epoch needs at least one row; got ${rows}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new InputError(`batchSize must be an integer ≥ 1; got ${batchSize}`);
    this.batches = options.dropLast ? Math.floor(rows / batchSize) : Math.ceil(rows / batchSize);
    if (this.batches < 1) throw new InputError(`${rows} rows make no full batch of ${batchSize} (dropLast)`);
    this.rng = Rng.seeded(options.seed ?? 0);
    this.epochStart = this.rng.state();
  }

  next(): Promise<EpochBatch> {
    if (this.index === this.batches) {
      this.epoch += 1;
      this.index = 0;
      this.order = undefined;
      this.epochStart = this.rng.state();
    }
    const order = (this.order ??= this.drawOrder());
    const { batchSize, rows } = this.options;
    const batch: EpochBatch = {
      epoch: this.epoch,
      index: this.index,
      batches: this.batches,
      rows: order.subarray(this.index * batchSize, Math.min(rows, (this.index + 1) * batchSize)),
    };
    this.index += 1;
    return Promise.resolve(batch);
  }

  private drawOrder(): Int32Array {
    const { rows } = this.options;
    return this.options.shuffle === false ? Int32Array.from({ length: rows }, (_, i) => i) : this.rng.permutation(rows);
  }

  state(): EpochBatchSourceState {
    return { rng: this.epochStart, epoch: this.epoch, index: this.index };
  }

  restore(state: unknown): void {
    const parsed = epochStateSchema.safeParse(state);
    if (!parsed.success) throw new InputError(`not an epoch batch-source state: ${parsed.error.issues[0]?.message ?? ''}`);
    const { epoch, index } = parsed.data;
    if (index > this.batches) throw new InputError(`epoch position ${index} is past the ${this.batches} batches of an epoch`);
    this.epochStart = parsed.data.rng as RngState;
    this.rng = Rng.fromState(this.epochStart);
    this.epoch = epoch;
    this.index = index;
    // The order of a started epoch is redrawn from the Rng it was drawn from (which also advances the Rng to where
    // the next epoch's order starts).
    this.order = index > 0 ? this.drawOrder() : undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<EpochBatch> {
    return iterateBatches(this);
  }
}
