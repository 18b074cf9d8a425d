import { SeededBatchSource, type Rng } from '@nextx/core';

/** A batch of images on the host: NHWC float32 pixels in [−1, 1] and their class labels. */
export interface ImageBatch {
  readonly pixels: Float32Array;
  readonly labels: Int32Array;
  readonly shape: readonly [number, number, number, number];
}

export interface ImageDataset {
  readonly count: number;
  readonly size: number;
  readonly channels: number;
  /** NHWC pixels of the given images, in [−1, 1]. */
  pixels(indices: ArrayLike<number>): Float32Array;
  label(index: number): number;
}

/**
 * Random batches (with replacement) from an in-memory dataset, drawn with a seeded Rng; the Rng state is the source's
 * position, so a training checkpoint resumes on exactly the same batches.
 */
export class ImageBatchSource extends SeededBatchSource<ImageBatch> {
  constructor(
    private readonly dataset: ImageDataset,
    private readonly batchSize: number,
    seed = 0,
  ) {
    super(seed);
  }

  protected draw(rng: Rng): ImageBatch {
    const indices = Array.from({ length: this.batchSize }, () => rng.int(0, this.dataset.count - 1));
    const { size, channels } = this.dataset;
    return {
      pixels: this.dataset.pixels(indices),
      labels: Int32Array.from(indices, (i) => this.dataset.label(i)),
      shape: [this.batchSize, size, size, channels] as const,
    };
  }
}
