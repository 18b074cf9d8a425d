import { tf, SeededBatchSource, Trainer, throwIfAborted, type ProgressListener, type Rng, type TrainerConfigInput, type TrainResult } from '@nextx/core';
import type { ImageDataset } from '../data/image-batch-source.js';
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
  const tokens = emptyTokens(models, labels, n);
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    encodeInto(models, tokens, start, pixels.subarray(start * h * w * c, (start + count) * h * w * c), [count, h, w, c]);
  }
  return tokens;
}

export interface TokenizeOptions {
  readonly batchSize?: number;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

/**
 * The first `count` images of a dataset as tokens, one batch at a time with a turn of the event loop between
 * batches (Ctrl-C is answered, the signal checked) and progress as stage 'tokenize'.
 */
export async function tokenizeDataset(models: VarModelPair, dataset: ImageDataset, count: number, options: TokenizeOptions = {}): Promise<TokenizedImages> {
  const batchSize = options.batchSize ?? 64;
  const labels = Int32Array.from({ length: count }, (_, i) => dataset.label(i));
  const tokens = emptyTokens(models, labels, count);
  for (let start = 0; start < count; start += batchSize) {
    await new Promise((resolve) => setImmediate(resolve));
    throwIfAborted(options.signal);
    const picks = Array.from({ length: Math.min(batchSize, count - start) }, (_, i) => start + i);
    encodeInto(models, tokens, start, dataset.pixels(picks), [picks.length, dataset.size, dataset.size, dataset.channels]);
    options.onProgress?.({ stage: 'tokenize', completed: start + picks.length, total: count });
  }
  return tokens;
}

function emptyTokens(models: VarModelPair, labels: Int32Array, n: number): TokenizedImages {
  const patchNums = models.vqvae.quantize.patchNums;
  return { labels, scales: patchNums.map((pn) => new Int32Array(n * pn * pn)), patchNums };
}

/** Encodes one batch and writes its tokens at image `start` of every scale. */
function encodeInto(models: VarModelPair, tokens: TokenizedImages, start: number, pixels: Float32Array, shape: [number, number, number, number]): void {
  const indices = tf.tidy(() => models.vqvae.imagesToIndices(tf.tensor4d(pixels, shape)));
  indices.forEach((ids, k) => {
    const pn = tokens.patchNums[k] as number;
    (tokens.scales[k] as Int32Array).set(ids.dataSync() as Int32Array, start * pn * pn);
  });
  tf.dispose(indices);
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
  /** Written as the checkpoint's config.json. */
  readonly modelConfig?: unknown;
  readonly onProgress?: ProgressListener;
  /** Stage name of the progress events (default 'train'). */
  readonly progressStage?: string;
  readonly signal?: AbortSignal;
}

/**
 * Trains the VAR transformer (the VQVAE frozen) with core's Trainer; resumes from `checkpointDir` when a checkpoint
 * is there (a finished one returns at once).
 */
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
    ...(options.modelConfig ? { modelConfig: options.modelConfig } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.progressStage ? { progressStage: options.progressStage } : {}),
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
