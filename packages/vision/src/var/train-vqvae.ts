import { tf, Trainer, type ProgressListener, type TrainerConfigInput, type TrainResult } from '@nextx/core';
import type { ImageBatch, ImageBatchSource } from '../data/image-batch-source.js';
import type { VQVAE } from './vqvae/vqvae.js';

export interface VqvaeTrainingOptions {
  readonly vqvae: VQVAE;
  readonly source: ImageBatchSource;
  readonly trainer: TrainerConfigInput;
  readonly checkpointDir?: string;
  readonly metricsFile?: string;
  readonly modelConfig?: unknown;
  readonly onProgress?: ProgressListener;
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
    total += tf.tidy(() => {
      const x = tf.tensor4d(pixels.subarray(start * h * w * c, (start + count) * h * w * c), [count, h, w, c]);
      const indices = vqvae.imagesToIndices(x);
      const recon = vqvae.indicesToImages(indices);
      tf.dispose(indices);
      return tf.sum(tf.squaredDifference(recon, x)).dataSync()[0] as number;
    });
  }
  return total / (n * h * w * c);
}
