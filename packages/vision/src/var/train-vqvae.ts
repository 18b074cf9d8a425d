import { tf, Trainer, throwIfAborted, type ProgressListener, type TrainerConfigInput, type TrainResult } from '@nextx/core';
import type { ImageBatch, ImageBatchSource, ImageDataset } from '../data/image-batch-source.js';
import type { VQVAE } from './vqvae/vqvae.js';

export interface VqvaeTrainingOptions {
  readonly vqvae: VQVAE;
  readonly source: ImageBatchSource;
  readonly trainer: TrainerConfigInput;
  readonly checkpointDir?: string;
  readonly metricsFile?: string;
  readonly modelConfig?: unknown;
  readonly onProgress?: ProgressListener;
  /** Stage name of the progress events (default 'train'). */
  readonly progressStage?: string;
  readonly signal?: AbortSignal;
}

export interface VqvaeTrainingResult extends TrainResult {
  /** Per scale, the fraction of the codebook hit, averaged over the last 20 steps. */
  readonly codebookUsage: number[];
}

/**
 * The VQVAE objective of VAR's tokenizer: ‖D(f̂) − x‖² + the multi-scale quantizer's loss (commitment β‖sg(f̂) − f‖²
 * plus codebook ‖f̂ − sg(f)‖², averaged over scales), with f̂ straight-through. The official repository never released
 * this training code; this is the VQ-VAE recipe on VAR's modules without the perceptual and GAN terms.
 */
export function vqvaeLoss(vqvae: VQVAE, batch: ImageBatch, usage?: (perScale: number[]) => void): tf.Scalar {
  return tf.tidy(() => {
    const x = tf.tensor4d(batch.pixels, [...batch.shape]);
    const quantized = vqvae.quantize.forward(vqvae.encodeLatent(x));
    usage?.(quantized.usage);
    const recon = vqvae.decoder.forward(vqvae.postQuantConv.forward(quantized.fhat));
    return tf.add(tf.mean(tf.squaredDifference(recon, x)), quantized.loss) as tf.Scalar;
  });
}

/** Trains the VQVAE with core's Trainer (AdamW, schedule, clipping, atomic checkpoints, exact resume). */
export async function trainVqvae(options: VqvaeTrainingOptions): Promise<VqvaeTrainingResult> {
  const recent: number[][] = [];
  const trainer = new Trainer<ImageBatch>({
    model: options.vqvae,
    loss: (batch) =>
      vqvaeLoss(options.vqvae, batch, (usage) => {
        recent.push(usage);
        if (recent.length > 20) recent.shift();
      }),
    source: options.source,
    config: options.trainer,
    // Throughput in the tokenizer's unit: multi-scale tokens assigned per image (Σ pn²) times the images.
    tokensPerBatch: (batch) => batch.shape[0] * options.vqvae.quantize.patchNums.reduce((sum, pn) => sum + pn * pn, 0),
    ...(options.checkpointDir ? { checkpointDir: options.checkpointDir } : {}),
    ...(options.metricsFile ? { metricsFile: options.metricsFile } : {}),
    ...(options.modelConfig ? { modelConfig: options.modelConfig } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.progressStage ? { progressStage: options.progressStage } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  options.vqvae.train();
  try {
    trainer.resumeIfPresent();
    const result = await trainer.run();
    const scales = recent[0]?.length ?? 0;
    const codebookUsage = Array.from({ length: scales }, (_, k) => recent.reduce((s, u) => s + (u[k] ?? 0), 0) / recent.length);
    return { ...result, codebookUsage };
  } finally {
    options.vqvae.eval();
    trainer.dispose();
  }
}

/** Mean squared reconstruction error (pixels in [−1, 1]) of images through tokens and back, in batches. */
export function reconstructionMse(vqvae: VQVAE, pixels: Float32Array, shape: readonly [number, number, number, number], batchSize = 64): number {
  const [n, h, w, c] = shape;
  let total = 0;
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    total += reconstructBatch(vqvae, pixels.subarray(start * h * w * c, (start + count) * h * w * c), [count, h, w, c]).squaredError;
  }
  return total / (n * h * w * c);
}

export interface ReconstructionReport {
  /** Mean squared error per pixel value (pixels in [−1, 1]). */
  readonly mse: number;
  /** Per scale, the fraction of the codebook the images' tokens use. */
  readonly codebookUsage: number[];
  readonly images: number;
}

/**
 * Held-out evaluation of a tokenizer: reconstruction MSE through tokens and back and per-scale codebook usage, one
 * batch at a time with a turn of the event loop between batches and progress as stage 'eval'.
 */
export async function evaluateReconstruction(
  vqvae: VQVAE,
  dataset: ImageDataset,
  options: { readonly batchSize?: number; readonly onProgress?: ProgressListener; readonly signal?: AbortSignal } = {},
): Promise<ReconstructionReport> {
  const batchSize = options.batchSize ?? 64;
  const { count, size, channels } = dataset;
  const used = vqvae.quantize.patchNums.map(() => new Uint8Array(vqvae.config.vocab_size));
  let total = 0;
  for (let start = 0; start < count; start += batchSize) {
    await new Promise((resolve) => setImmediate(resolve));
    throwIfAborted(options.signal);
    const picks = Array.from({ length: Math.min(batchSize, count - start) }, (_, i) => start + i);
    const batch = reconstructBatch(vqvae, dataset.pixels(picks), [picks.length, size, size, channels]);
    total += batch.squaredError;
    batch.tokens.forEach((ids, k) => ids.forEach((id) => ((used[k] as Uint8Array)[id] = 1)));
    options.onProgress?.({ stage: 'eval', completed: start + picks.length, total: count });
  }
  return {
    mse: total / (count * size * size * channels),
    codebookUsage: used.map((hits) => hits.reduce((sum, h) => sum + h, 0) / hits.length),
    images: count,
  };
}

function reconstructBatch(vqvae: VQVAE, pixels: Float32Array, shape: [number, number, number, number]): { squaredError: number; tokens: Int32Array[] } {
  const x = tf.tensor4d(pixels, shape);
  const indices = tf.tidy(() => vqvae.imagesToIndices(x));
  const error = tf.tidy(() => tf.sum(tf.squaredDifference(vqvae.indicesToImages(indices), x)));
  const result = { squaredError: error.dataSync()[0] as number, tokens: indices.map((ids) => ids.dataSync() as Int32Array) };
  tf.dispose([x, error, ...indices]);
  return result;
}
