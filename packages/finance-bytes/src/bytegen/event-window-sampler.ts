import { InputError, SeededBatchSource, type ByteBatch, type Rng } from '@nextx/core';
import { EVENT_BYTES } from '../codec/event-layout.js';

/**
 * Seeded random windows of a packed event stream that start on an event boundary (a multiple of 32 bytes), so that
 * byte i of a window is always byte i mod 32 of its record, as at generation time. Inputs are bytes t … t+L−1,
 * targets t+1 … t+L.
 */
export class EventWindowSampler extends SeededBatchSource<ByteBatch> {
  constructor(
    private readonly stream: Uint8Array,
    readonly batchSize: number,
    readonly seqLen: number,
    seed: number,
  ) {
    super(seed);
    if (stream.length % EVENT_BYTES !== 0) throw new InputError(`the training stream has ${stream.length} bytes, not whole ${EVENT_BYTES}-byte events`);
    if (stream.length < seqLen + EVENT_BYTES) throw new InputError(`the training stream has ${stream.length / EVENT_BYTES} events; windows of ${seqLen} bytes need at least ${seqLen / EVENT_BYTES + 1}`);
  }

  protected draw(rng: Rng): ByteBatch {
    const { batchSize, seqLen } = this;
    const inputs = new Int32Array(batchSize * seqLen);
    const targets = new Int32Array(batchSize * seqLen);
    const lastEvent = Math.floor((this.stream.length - seqLen - 1) / EVENT_BYTES);
    for (let b = 0; b < batchSize; b++) {
      const start = rng.int(0, lastEvent) * EVENT_BYTES;
      for (let t = 0; t < seqLen; t++) {
        inputs[b * seqLen + t] = this.stream[start + t] as number;
        targets[b * seqLen + t] = this.stream[start + t + 1] as number;
      }
    }
    return { inputs, targets, batchSize, seqLen };
  }
}
