import { InputError } from '../errors.js';
import type { Rng } from '../rng/rng.js';
import { SeededBatchSource } from './seeded-batch-source.js';

/** B windows of a byte corpus: inputs are bytes t … t+L−1, targets bytes t+1 … t+L (next-byte prediction). */
export interface ByteBatch {
  readonly inputs: Int32Array;
  readonly targets: Int32Array;
  readonly batchSize: number;
  readonly seqLen: number;
}

export interface ByteWindowSamplerOptions {
  readonly batchSize: number;
  readonly seqLen: number;
  readonly seed: number;
}

/** Seeded random windows over a byte corpus (nanoGPT's get_batch), restorable from its Rng state. */
export class ByteWindowSampler extends SeededBatchSource<ByteBatch> {
  readonly batchSize: number;
  readonly seqLen: number;

  constructor(
    private readonly corpus: Uint8Array,
    options: ByteWindowSamplerOptions,
  ) {
    super(options.seed);
    this.batchSize = options.batchSize;
    this.seqLen = options.seqLen;
    if (corpus.length < this.seqLen + 1) {
      throw new InputError(`the corpus has ${corpus.length} bytes; windows of ${this.seqLen} need at least ${this.seqLen + 1}`);
    }
  }

  protected draw(rng: Rng): ByteBatch {
    const { batchSize, seqLen } = this;
    const inputs = new Int32Array(batchSize * seqLen);
    const targets = new Int32Array(batchSize * seqLen);
    const lastStart = this.corpus.length - seqLen - 1;
    for (let b = 0; b < batchSize; b++) {
      const start = rng.int(0, lastStart);
      for (let t = 0; t < seqLen; t++) {
        inputs[b * seqLen + t] = this.corpus[start + t] as number;
        targets[b * seqLen + t] = this.corpus[start + t + 1] as number;
      }
    }
    return { inputs, targets, batchSize, seqLen };
  }
}
