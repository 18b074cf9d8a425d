import { z } from 'zod';
import { InputError } from '../errors.js';
import { Rng, type RngState } from '../rng/rng.js';
import { iterateBatches, type BatchSource } from './batch-source.js';

/** B windows of a byte corpus: inputs are bytes t … t+L−1, targets bytes t+1 … t+L (next-byte prediction). */
export interface ByteBatch {
  readonly inputs: Int32Array;
  readonly targets: Int32Array;
  readonly batchSize: number;
  readonly seqLen: number;
}

const samplerStateSchema = z.object({
  rng: z.object({ algorithm: z.literal('xoroshiro128plus'), state: z.array(z.number()) }),
  batches: z.number().int().nonnegative(),
});

export interface ByteWindowSamplerOptions {
  readonly batchSize: number;
  readonly seqLen: number;
  readonly seed: number;
}

/** Seeded random windows over a byte corpus (nanoGPT's get_batch), restorable from its Rng state. */
export class ByteWindowSampler implements BatchSource<ByteBatch> {
  readonly batchSize: number;
  readonly seqLen: number;
  private rng: Rng;
  private batches = 0;

  constructor(
    private readonly corpus: Uint8Array,
    options: ByteWindowSamplerOptions,
  ) {
    this.batchSize = options.batchSize;
    this.seqLen = options.seqLen;
    if (corpus.length < this.seqLen + 1) {
      throw new InputError(`the corpus has ${corpus.length} bytes; windows of ${this.seqLen} need at least ${this.seqLen + 1}`);
    }
    this.rng = Rng.seeded(options.seed);
  }

  /** Batches handed out so far. */
  get count(): number {
    return this.batches;
  }

  next(): Promise<ByteBatch> {
    const { batchSize, seqLen } = this;
    const inputs = new Int32Array(batchSize * seqLen);
    const targets = new Int32Array(batchSize * seqLen);
    const lastStart = this.corpus.length - seqLen - 1;
    for (let b = 0; b < batchSize; b++) {
      const start = this.rng.int(0, lastStart);
      for (let t = 0; t < seqLen; t++) {
        inputs[b * seqLen + t] = this.corpus[start + t] as number;
        targets[b * seqLen + t] = this.corpus[start + t + 1] as number;
      }
    }
    this.batches += 1;
    return Promise.resolve({ inputs, targets, batchSize, seqLen });
  }

  state(): { rng: RngState; batches: number } {
    return { rng: this.rng.state(), batches: this.batches };
  }

  restore(state: unknown): void {
    const parsed = samplerStateSchema.safeParse(state);
    if (!parsed.success) throw new InputError(`not a ByteWindowSampler state: ${parsed.error.message}`);
    this.rng = Rng.fromState(parsed.data.rng as RngState);
    this.batches = parsed.data.batches;
  }

  [Symbol.asyncIterator](): AsyncIterator<ByteBatch> {
    return iterateBatches(this);
  }
}
