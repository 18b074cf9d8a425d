import { SeededBatchSource, type Rng } from '@nextx/core';
import type { MovingObjects } from '../data/moving-objects.js';

/** Random single frames of training sequences, [B, S, S] host data, for the autoencoder. */
export class FrameBatchSource extends SeededBatchSource<{ readonly frames: Float32Array; readonly batch: number }> {
  constructor(
    private readonly data: MovingObjects,
    private readonly batch: number,
    seed: number,
    private readonly dataSeed: number,
  ) {
    super(seed);
  }

  protected draw(rng: Rng): { frames: Float32Array; batch: number } {
    const plane = this.data.config.size ** 2;
    const frames = new Float32Array(this.batch * plane);
    for (let b = 0; b < this.batch; b++) {
      const sequence = this.data.sequence('train', rng.int(0, 2 ** 30), this.dataSeed);
      sequence.frame(rng.int(0, 4096), frames.subarray(b * plane, (b + 1) * plane));
    }
    return { frames, batch: this.batch };
  }
}
