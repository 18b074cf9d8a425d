import { tf, SeededBatchSource, Trainer, type ProgressListener, type Rng, type TrainerConfigInput, type TrainResult } from '@nextx/core';
import type { VarModelPair } from './generate.js';
import { varTrainingCrossEntropy } from './var-loss.js';

/** Every training image as tokens: per scale, int32 [N, pn²], and the labels. */
export interface TokenizedImages {
  readonly labels: Int32Array;
  readonly scales: readonly Int32Array[];
  readonly patchNums: readonly number[];
}

export interface TokenBatch {
  readonly labels: Int32Array;
  readonly scales: readonly Int32Array[];
}

/** Encodes images (NHWC pixels in [−1, 1]) to their multi-scale tokens with the VQVAE, in batches. */
export function tokenizeImages(models: VarModelPair, pixels: Float32Array, labels: Int32Array, shape: readonly [number, number, number, number], batchSize = 128): TokenizedImages {
  const [n, h, w, c] = shape;
  const patchNums = models.vqvae.quantize.patchNums;
  const scales = patchNums.map((pn) => new Int32Array(n * pn * pn));
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const indices = tf.tidy(() => models.vqvae.imagesToIndices(tf.tensor4d(pixels.subarray(start * h * w * c, (start + count) * h * w * c), [count, h, w, c])));
    indices.forEach((ids, k) => {
      const pn = patchNums[k] as number;
      (scales[k] as Int32Array).set(ids.dataSync() as Int32Array, start * pn * pn);
    });
    tf.dispose(indices);
  }
  return { labels, scales, patchNums };
}

/** Random batches of tokenized images; the Rng state is the position (exact resume). */
export class TokenBatchSource extends SeededBatchSource<TokenBatch> {
  constructor(
    private readonly data: TokenizedImages,
    private readonly batchSize: number,
    seed = 0,
  ) {
    super(seed);
  }

  protected draw(rng: Rng): TokenBatch {
    const n = this.data.labels.length;
    const picks = Array.from({ length: this.batchSize }, () => rng.int(0, n - 1));
    const scales = this.data.scales.map((all, k) => {
      const size = (this.data.patchNums[k] as number) ** 2;
      const out = new Int32Array(this.batchSize * size);
      picks.forEach((i, b) => out.set(all.subarray(i * size, (i + 1) * size), b * size));
      return out;
    });
    return { labels: Int32Array.from(picks, (i) => this.data.labels[i] as number), scales };
  }
}

/** VAR's training loss (`varTrainingCrossEntropy`: class dropout, then cross-entropy) on a host token batch. */
export function varTrainingLoss(models: VarModelPair, batch: TokenBatch, rng: Rng, condDropRate: number): tf.Scalar {
  return tf.tidy(() =>
    varTrainingCrossEntropy(
      models,
      {
        labels: tf.tensor1d(batch.labels, 'int32'),
        indices: batch.scales.map((ids, k) => {
          const size = (models.vqvae.quantize.patchNums[k] as number) ** 2;
          return tf.tensor2d(ids, [batch.labels.length, size], 'int32');
        }),
      },
      rng,
      condDropRate,
    ),
  );
}

export interface VarTrainingOptions {
  readonly models: VarModelPair;
  readonly source: TokenBatchSource;
  readonly trainer: TrainerConfigInput;
  readonly condDropRate: number;
  readonly checkpointDir?: string;
  readonly metricsFile?: string;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

/** Trains the VAR transformer (the VQVAE frozen) with core's Trainer. */
export async function trainVarTransformer(options: VarTrainingOptions): Promise<TrainResult> {
  const { models } = options;
  const trainer = new Trainer<TokenBatch>({
    model: models.transformer,
    loss: (batch, rng) => varTrainingLoss(models, batch, rng, options.condDropRate),
    source: options.source,
    config: options.trainer,
    tokensPerBatch: (batch) => batch.scales.reduce((sum, s) => sum + s.length, 0),
    ...(options.checkpointDir ? { checkpointDir: options.checkpointDir } : {}),
    ...(options.metricsFile ? { metricsFile: options.metricsFile } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  models.transformer.train();
  try {
    trainer.resumeIfPresent();
    return await trainer.run();
  } finally {
    models.transformer.eval();
    trainer.dispose();
  }
}
