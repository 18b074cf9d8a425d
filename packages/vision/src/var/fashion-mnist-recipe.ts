import { join } from 'node:path';
import { tf, imageGridFigure, panels, trainingCurve, writeFileAtomic, type GridImages, type ImageGridFigure, type ProgressListener, type RasterImage, type StepMetrics } from '@nextx/core';
import { fashionMnistPixels, readFashionMnist, DEBIAN_FASHION_MNIST_DIR, FASHION_MNIST_CLASSES, type FashionMnistSplitData } from '../data/fashion-mnist.js';
import { ImageBatchSource, type ImageDataset } from '../data/image-batch-source.js';
import { parseVarModelConfig, type VarModelConfig } from './config.js';
import { generateVarAll } from './generate.js';
import { buildVar, saveVarCheckpoint, type LoadedVar } from './load.js';
import { reconstructionMse, trainVqvae } from './train-vqvae.js';
import { TokenBatchSource, tokenizeImages, trainVarTransformer } from './train-var.js';

/**
 * A VAR sized for Fashion-MNIST on a laptop CPU: 28×28 padded to 32×32, one channel, a 4× down-sampling VQVAE
 * (8×8 latent, scales 1,2,3,4,6,8, 512 codes of 16 channels), and a 4-block, width-128 transformer.
 */
export const FASHION_MNIST_VAR_CONFIG: VarModelConfig = parseVarModelConfig({
  vqvae: {
    vocab_size: 512,
    z_channels: 16,
    ch: 32,
    ch_mult: [1, 2, 2],
    num_res_blocks: 1,
    in_channels: 1,
    num_groups: 8,
    using_sa: false,
    using_mid_sa: true,
    v_patch_nums: [1, 2, 3, 4, 6, 8],
  },
  var: { num_classes: 10, depth: 4, embed_dim: 128, num_heads: 4, patch_nums: [1, 2, 3, 4, 6, 8], cond_drop_rate: 0.1 },
});

export interface FashionMnistRecipeOptions {
  readonly out: string;
  readonly dataDir?: string;
  readonly vqvaeSteps?: number;
  readonly varSteps?: number;
  /** VQVAE batch (default 32). */
  readonly batchSize?: number;
  /** Transformer batch (default 16: wasm's 4 GB heap bounds the tape of a VAR step). */
  readonly varBatchSize?: number;
  /** Training images tokenized for the transformer (the VQVAE samples from all 60,000). */
  readonly tokenizedImages?: number;
  readonly heldOutImages?: number;
  readonly seed?: number;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
  readonly log?: (message: string) => void;
}

export interface FashionMnistRecipeReport {
  readonly checkpoint: string;
  readonly samplesGrid: string;
  readonly reconstructions: string;
  readonly trainingCurves: string;
  readonly vqvaeSeconds: number;
  readonly varSeconds: number;
  readonly heldOutReconstructionMse: number;
  readonly codebookUsage: readonly number[];
  readonly finalVqvaeLoss: number;
  readonly finalVarLoss: number;
}

function datasetOf(split: FashionMnistSplitData): ImageDataset {
  return { count: split.count, size: 32, channels: 1, pixels: (indices) => fashionMnistPixels(split, indices, 32), label: (i) => split.labels[i] as number };
}

const raster = (data: Float32Array, i: number, size: number): RasterImage => ({
  data: data.subarray(i * size * size, (i + 1) * size * size),
  height: size,
  width: size,
  channels: 1,
});

/**
 * Trains the tokenizer, then the transformer, on Fashion-MNIST; writes the checkpoint, a 10-class sample grid (one
 * row per class, cfg 2, top-k 50), original/reconstruction pairs of held-out images, both training curves, and a
 * JSON report.
 */
export async function trainFashionMnistVar(options: FashionMnistRecipeOptions): Promise<FashionMnistRecipeReport> {
  const log = options.log ?? (() => undefined);
  const dir = options.dataDir ?? DEBIAN_FASHION_MNIST_DIR;
  const train = readFashionMnist('train', dir);
  const test = readFashionMnist('t10k', dir);
  const batchSize = options.batchSize ?? 32;
  const seed = options.seed ?? 0;
  const model: LoadedVar = buildVar(FASHION_MNIST_VAR_CONFIG, seed);
  try {
    log(`training the VQVAE (${model.vqvae.numParameters()} parameters)`);
    const vqStart = performance.now();
    const vq = await trainVqvae({
      vqvae: model.vqvae,
      source: new ImageBatchSource(datasetOf(train), batchSize, seed),
      trainer: { steps: options.vqvaeSteps ?? 1500, lr: 2e-3, weightDecay: 0, schedule: { kind: 'cosine', warmupSteps: 50, minLr: 2e-4 }, logEvery: 25, seed },
      metricsFile: join(options.out, 'vqvae-metrics.jsonl'),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const vqvaeSeconds = (performance.now() - vqStart) / 1000;

    const heldOut = Array.from({ length: options.heldOutImages ?? 1000 }, (_, i) => i);
    const heldOutPixels = fashionMnistPixels(test, heldOut, 32);
    const heldOutReconstructionMse = reconstructionMse(model.vqvae, heldOutPixels, [heldOut.length, 32, 32, 1]);
    log(`held-out reconstruction MSE ${heldOutReconstructionMse.toFixed(4)}; codebook usage per scale ${vq.codebookUsage.map((u) => u.toFixed(2)).join(', ')}`);

    const count = Math.min(options.tokenizedImages ?? 10000, train.count);
    const picks = Array.from({ length: count }, (_, i) => i);
    log(`tokenizing ${count} training images`);
    const tokens = tokenizeImages(model, fashionMnistPixels(train, picks, 32), Int32Array.from(picks, (i) => train.labels[i] as number), [count, 32, 32, 1]);

    log(`training the VAR transformer (${model.transformer.numParameters()} parameters)`);
    const varStart = performance.now();
    const varRun = await trainVarTransformer({
      models: model,
      source: new TokenBatchSource(tokens, options.varBatchSize ?? 16, seed + 1),
      trainer: { steps: options.varSteps ?? 1500, lr: 1e-3, weightDecay: 0.05, schedule: { kind: 'cosine', warmupSteps: 50, minLr: 1e-4 }, logEvery: 25, seed: seed + 1 },
      condDropRate: 0.1,
      metricsFile: join(options.out, 'var-metrics.jsonl'),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const varSeconds = (performance.now() - varStart) / 1000;

    const checkpoint = join(options.out, 'checkpoint');
    saveVarCheckpoint(checkpoint, model);
    const samplesGrid = await writeClassGrid(model, join(options.out, 'samples-grid.png'), seed);
    const reconstructions = await writeReconstructions(model, heldOutPixels.subarray(0, 16 * 32 * 32), join(options.out, 'reconstructions.png'));
    const trainingCurves = await writeTrainingCurves(vq.history, varRun.history, join(options.out, 'training-curves.png'));
    const report: FashionMnistRecipeReport = {
      checkpoint,
      samplesGrid,
      reconstructions,
      trainingCurves,
      vqvaeSeconds,
      varSeconds,
      heldOutReconstructionMse,
      codebookUsage: vq.codebookUsage,
      finalVqvaeLoss: vq.history.at(-1)?.loss ?? NaN,
      finalVarLoss: varRun.history.at(-1)?.loss ?? NaN,
    };
    writeFileAtomic(join(options.out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    model.dispose();
  }
}

/** A sample grid with one row of `perClass` images per Fashion-MNIST class, labelled with the class names. */
export function classGridFigure(images: GridImages, perClass: number): ImageGridFigure {
  return imageGridFigure({ images, columns: perClass, rowLabels: FASHION_MNIST_CLASSES, title: 'VAR samples, one row per class (cfg 2, top-k 50)' });
}

/** One row per class (labels 0–9), `perClass` samples each, guidance 2 with top-k 50. */
export async function writeClassGrid(model: LoadedVar, file: string, seed: number, perClass = 8): Promise<string> {
  const classes = Array.from({ length: 10 * perClass }, (_, i) => Math.floor(i / perClass));
  const scales = await generateVarAll(model, { classes, cfg: 2, topK: 50, topP: 0 }, { seed });
  const image = scales.at(-1)?.image;
  if (!image) throw new Error('generation produced no image');
  const [, h, w, c] = image.shape;
  const tiles = classes.map((_, i) => ({ data: image.data.subarray(i * h * w * c, (i + 1) * h * w * c), height: h, width: w, channels: c as 1 }));
  return classGridFigure(tiles, perClass).write(file);
}

/** Held-out images ([−1, 1]) beside their reconstructions, 4 pairs to a row. */
async function writeReconstructions(model: LoadedVar, pixels: Float32Array, file: string): Promise<string> {
  const n = pixels.length / (32 * 32);
  const recon = reconstructionImages(model, pixels, n);
  const tiles = Array.from({ length: n }, (_, i) => [raster(pixels, i, 32), raster(recon, i, 32)]).flat();
  const titles = tiles.map((_, i) => (i % 2 ? 'recon.' : 'orig.'));
  return imageGridFigure({ images: tiles, columns: 8, titles, valueRange: [-1, 1], title: 'Held-out images and their VQVAE reconstructions' }).write(file);
}

/** The loss curves of both stages side by side. */
function writeTrainingCurves(vqvae: readonly StepMetrics[], transformer: readonly StepMetrics[], file: string): Promise<string> {
  const curve = (title: string, history: readonly StepMetrics[], yLabel: string) =>
    trainingCurve({ title, series: [{ name: 'loss', x: history.map((m) => m.step), y: history.map((m) => m.loss) }], yLabel, width: 360, height: 220 });
  return panels([curve('VQVAE', vqvae, 'MSE + VQ loss'), curve('VAR transformer', transformer, 'cross-entropy (nats)')], { title: 'Fashion-MNIST VAR training' }).write(file);
}

/** Images → tokens → images, as host pixels in [−1, 1]. */
function reconstructionImages(model: LoadedVar, pixels: Float32Array, n: number): Float32Array {
  const recon = tf.tidy(() => {
    const indices = model.vqvae.imagesToIndices(tf.tensor4d(pixels, [n, 32, 32, 1]));
    return model.vqvae.indicesToImages(indices);
  });
  const data = recon.dataSync() as Float32Array;
  recon.dispose();
  return data;
}
