import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import {
  tf,
  AbortError,
  CheckpointError,
  InputError,
  imageGridFigure,
  panels,
  parseConfig,
  readMetrics,
  trainingCurve,
  writeFileAtomic,
  type ProgressListener,
  type RasterImage,
  type StepMetrics,
} from '@nextx/core';
import { ImageBatchSource, type ImageDataset } from '../data/image-batch-source.js';
import { openTrainingData, type TrainingData } from '../data/training-data.js';
import { deriveSizes, parseVarModelConfig, varModelConfigSchema, type VarModelConfig } from './config.js';
import { FASHION_MNIST_VAR_CONFIG, writeClassGrid } from './fashion-mnist-recipe.js';
import { buildVar, saveVarCheckpoint, type LoadedVar } from './load.js';
import { evaluateReconstruction, trainVqvae } from './train-vqvae.js';
import { TokenBatchSource, tokenizeDataset, trainVarTransformer } from './train-var.js';

/** The settings of a training run, saved as `<out>/run.json` and reused by `--resume`. */
const runSettingsSchema = z.object({
  /** Absolute path of the data: a Fashion-MNIST IDX folder or a folder of PNGs. */
  data: z.string(),
  config: varModelConfigSchema,
  vqvaeSteps: z.number().int().positive(),
  varSteps: z.number().int().positive(),
  batchSize: z.number().int().positive(),
  varBatchSize: z.number().int().positive(),
  /** Training images used (null: all; the transformer then tokenizes at most TOKENIZED_DEFAULT of them). */
  trainImages: z.number().int().positive().nullable(),
  heldOutImages: z.number().int().positive(),
  checkpointEvery: z.number().int().nonnegative(),
  seed: z.number().int().nonnegative(),
});

export type VarRunSettings = z.infer<typeof runSettingsSchema>;

/** What `--resume` takes from run.json; given again, each must be the same. */
const SETTING_FLAGS: Record<Exclude<keyof VarRunSettings, 'config'>, string> = {
  data: '--data',
  vqvaeSteps: '--vqvae-steps',
  varSteps: '--var-steps',
  batchSize: '--batch',
  varBatchSize: '--var-batch',
  trainImages: '--train-images',
  heldOutImages: '--eval-images',
  checkpointEvery: '--checkpoint-every',
  seed: '--seed',
};

export const RUN_DEFAULTS = {
  vqvaeSteps: 500,
  varSteps: 800,
  batchSize: 16,
  varBatchSize: 16,
  heldOutImages: 1000,
  checkpointEvery: 50,
  seed: 0,
} as const;

/** Training images the transformer stage tokenizes when `trainImages` is not given. */
export const TOKENIZED_DEFAULT = 10_000;

export interface VarTrainingRunOptions {
  /** The run directory: checkpoints of both stages, metrics, the final checkpoint, figures, report. */
  readonly out: string;
  /** Continue the run in `out` from its last checkpoint (its run.json gives the settings). */
  readonly resume?: boolean;
  /** A Fashion-MNIST IDX folder or a folder of PNGs (default Debian's /usr/share/datasets/fashion-mnist). */
  readonly data?: string;
  /** Model config (either accepted shape); default FASHION_MNIST_VAR_CONFIG with the data's classes and channels. */
  readonly config?: unknown;
  readonly vqvaeSteps?: number;
  readonly varSteps?: number;
  readonly batchSize?: number;
  readonly varBatchSize?: number;
  readonly trainImages?: number;
  readonly heldOutImages?: number;
  /** Checkpoint every N optimizer steps in both stages (0: only at the end of each); Ctrl-C saves as well. */
  readonly checkpointEvery?: number;
  readonly seed?: number;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
  readonly log?: (message: string) => void;
}

export interface VarTrainingReport {
  readonly out: string;
  readonly checkpoint: string;
  readonly samplesGrid: string;
  readonly reconstructions: string;
  readonly trainingCurves: string;
  readonly data: { readonly kind: TrainingData['kind']; readonly path: string; readonly classes: readonly string[]; readonly trainImages: number; readonly heldOutImages: number };
  readonly vqvae: { readonly steps: number; readonly finalLoss: number; readonly seconds: number };
  readonly var: { readonly steps: number; readonly finalLoss: number; readonly seconds: number; readonly tokenizedImages: number };
  readonly heldOutReconstructionMse: number;
  readonly codebookUsage: readonly number[];
}

/** Files and folders of a run directory. */
export const runFiles = (out: string) => ({
  settings: join(out, 'run.json'),
  vqvaeTraining: join(out, 'vqvae-training'),
  varTraining: join(out, 'var-training'),
  vqvaeMetrics: join(out, 'vqvae-metrics.jsonl'),
  varMetrics: join(out, 'var-metrics.jsonl'),
  checkpoint: join(out, 'checkpoint'),
  samplesGrid: join(out, 'samples-grid.png'),
  reconstructions: join(out, 'reconstructions.png'),
  trainingCurves: join(out, 'training-curves.png'),
  report: join(out, 'report.json'),
});

/**
 * Trains a VAR in two stages — the VQVAE tokenizer, then the transformer on the tokenized images — as a resumable
 * run in `out`. Both stages checkpoint atomically every `checkpointEvery` steps and when the signal aborts (between
 * steps); every long phase (loading, training, evaluating, tokenizing, sampling) reports progress and yields to the
 * event loop, so Ctrl-C is answered within a step. `resume` continues from the last checkpoints and gives the same
 * weights as an uninterrupted run (same backend). Ends with the final checkpoint (`generate --checkpoint`), a sample
 * grid (one row per class), held-out reconstructions and report.json.
 */
export async function trainVarRun(options: VarTrainingRunOptions): Promise<VarTrainingReport> {
  const log = options.log ?? (() => undefined);
  const files = runFiles(resolve(options.out));
  const partial = options.resume ? resumedSettings(files.settings, options) : freshSettings(files.settings, options);
  if (options.resume && existsSync(files.report)) {
    log(`the run in ${resolve(options.out)} is complete (${files.report})`);
    return JSON.parse(readFileSync(files.report, 'utf8')) as VarTrainingReport;
  }
  const sizes = partial.config ? deriveSizes(partial.config) : deriveSizes(FASHION_MNIST_VAR_CONFIG);
  let phase = 'loading the data';
  try {
    const data = await openTrainingData(partial.data, {
      size: sizes.imageSize,
      ...(partial.config ? { channels: channelsOf(partial.config) } : {}),
      ...(partial.trainImages !== null ? { trainImages: partial.trainImages } : {}),
      heldOutImages: partial.heldOutImages,
      seed: partial.seed,
      ...progress(options),
    });
    const settings: VarRunSettings = { ...partial, data: data.path, config: partial.config ?? defaultConfig(data) };
    checkConfigFitsData(settings.config, data);
    if (!options.resume) writeFileAtomic(files.settings, `${JSON.stringify(settings, null, 2)}\n`);
    log(`data: ${describeData(data)}`);

    const model = buildVar(settings.config, settings.seed);
    try {
      phase = 'training the VQVAE';
      log(`training the VQVAE (${model.vqvae.numParameters()} parameters, ${settings.vqvaeSteps} steps${resumingAt(files.vqvaeTraining)}) → ${files.vqvaeTraining}`);
      const vqStart = performance.now();
      const vq = await trainVqvae({
        vqvae: model.vqvae,
        source: new ImageBatchSource(data.train, microBatch(settings.batchSize, VQVAE_MICRO_BATCH), settings.seed),
        trainer: trainerConfig(settings.vqvaeSteps, 2e-3, 2e-4, 0, settings, settings.batchSize / microBatch(settings.batchSize, VQVAE_MICRO_BATCH)),
        checkpointDir: files.vqvaeTraining,
        metricsFile: files.vqvaeMetrics,
        modelConfig: settings.config,
        progressStage: 'vqvae',
        ...progress(options),
      });
      const vqvaeSeconds = (performance.now() - vqStart) / 1000;

      phase = 'evaluating the VQVAE';
      const heldOut = await evaluateReconstruction(model.vqvae, data.heldOut, progress(options));
      log(`held-out reconstruction MSE ${heldOut.mse.toFixed(4)} on ${heldOut.images} images; codebook usage per scale ${heldOut.codebookUsage.map((u) => u.toFixed(2)).join(', ')}`);

      phase = 'tokenizing the training images';
      const tokenized = settings.trainImages === null ? Math.min(data.train.count, TOKENIZED_DEFAULT) : data.train.count;
      log(`tokenizing ${tokenized} training images`);
      const tokens = await tokenizeDataset(model, data.train, tokenized, progress(options));

      phase = 'training the transformer';
      log(`training the VAR transformer (${model.transformer.numParameters()} parameters, ${settings.varSteps} steps${resumingAt(files.varTraining)}) → ${files.varTraining}`);
      const varStart = performance.now();
      const varRun = await trainVarTransformer({
        models: model,
        source: new TokenBatchSource(tokens, microBatch(settings.varBatchSize, VAR_MICRO_BATCH), settings.seed + 1),
        trainer: trainerConfig(settings.varSteps, 1e-3, 1e-4, 0.05, { ...settings, seed: settings.seed + 1 }, settings.varBatchSize / microBatch(settings.varBatchSize, VAR_MICRO_BATCH)),
        condDropRate: settings.config.var.cond_drop_rate,
        checkpointDir: files.varTraining,
        metricsFile: files.varMetrics,
        modelConfig: settings.config,
        progressStage: 'var',
        ...progress(options),
      });
      const varSeconds = (performance.now() - varStart) / 1000;

      phase = 'writing the checkpoint and figures';
      saveVarCheckpoint(files.checkpoint, model);
      await writeClassGrid(model, files.samplesGrid, settings.seed, Math.min(8, Math.max(1, Math.floor(80 / data.classes.length))), {
        classNames: data.classes.map((name, i) => name || `class ${i}`),
        ...progress(options),
      });
      await writeReconstructions(model, data.heldOut, files.reconstructions);
      const [vqvaeHistory, varHistory] = [readMetrics(files.vqvaeMetrics), readMetrics(files.varMetrics)]; // whole run, resumed or not
      await writeTrainingCurves(vqvaeHistory, varHistory, files.trainingCurves);
      const report: VarTrainingReport = {
        out: resolve(options.out),
        checkpoint: files.checkpoint,
        samplesGrid: files.samplesGrid,
        reconstructions: files.reconstructions,
        trainingCurves: files.trainingCurves,
        data: { kind: data.kind, path: data.path, classes: data.classes, trainImages: data.train.count, heldOutImages: data.heldOut.count },
        vqvae: { steps: vq.step, finalLoss: vqvaeHistory.at(-1)?.loss ?? NaN, seconds: vqvaeSeconds },
        var: { steps: varRun.step, finalLoss: varHistory.at(-1)?.loss ?? NaN, seconds: varSeconds, tokenizedImages: tokenized },
        heldOutReconstructionMse: heldOut.mse,
        codebookUsage: heldOut.codebookUsage,
      };
      writeFileAtomic(files.report, `${JSON.stringify(report, null, 2)}\n`);
      log(`trained: ${files.checkpoint}; samples ${files.samplesGrid}`);
      return report;
    } finally {
      model.dispose();
    }
  } catch (error) {
    if (error instanceof AbortError) throw new AbortError(`interrupted while ${phase} (${error.message}); the run in ${resolve(options.out)} can be resumed`);
    throw error;
  }
}

const progress = (options: VarTrainingRunOptions) => ({
  ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  ...(options.signal ? { signal: options.signal } : {}),
});

/**
 * Images per micro-batch: a batch is computed as micro-batches whose gradients are averaged (the same gradient as the
 * whole batch), with a turn of the event loop between them, so that Ctrl-C is answered within one micro-batch
 * (about a second for these sizes on one wasm core) rather than one step (5 s for a VQVAE batch of 16).
 */
const VQVAE_MICRO_BATCH = 4;
const VAR_MICRO_BATCH = 8;

/** The largest divisor of `batch` not above `cap`. */
function microBatch(batch: number, cap: number): number {
  for (let size = Math.min(batch, cap); size > 1; size--) if (batch % size === 0) return size;
  return 1;
}

function trainerConfig(steps: number, lr: number, minLr: number, weightDecay: number, settings: VarRunSettings, accumulate: number) {
  return {
    steps,
    accumulate,
    lr,
    weightDecay,
    schedule: { kind: 'cosine' as const, warmupSteps: Math.min(50, Math.floor(steps / 10)), minLr },
    logEvery: 1,
    checkpointEvery: settings.checkpointEvery,
    seed: settings.seed,
  };
}

type PartialSettings = Omit<VarRunSettings, 'data' | 'config'> & { data: string | undefined; config: VarModelConfig | undefined };

function freshSettings(settingsFile: string, options: VarTrainingRunOptions): PartialSettings {
  if (existsSync(settingsFile)) {
    throw new InputError(`${settingsFile} exists: this folder holds a training run; pass --resume to continue it, or choose another --out`);
  }
  return {
    data: options.data === undefined ? undefined : resolve(options.data),
    config: options.config === undefined ? undefined : parseVarModelConfig(options.config),
    vqvaeSteps: options.vqvaeSteps ?? RUN_DEFAULTS.vqvaeSteps,
    varSteps: options.varSteps ?? RUN_DEFAULTS.varSteps,
    batchSize: options.batchSize ?? RUN_DEFAULTS.batchSize,
    varBatchSize: options.varBatchSize ?? RUN_DEFAULTS.varBatchSize,
    trainImages: options.trainImages ?? null,
    heldOutImages: options.heldOutImages ?? RUN_DEFAULTS.heldOutImages,
    checkpointEvery: options.checkpointEvery ?? RUN_DEFAULTS.checkpointEvery,
    seed: options.seed ?? RUN_DEFAULTS.seed,
  };
}

/** run.json's settings; a setting given again must match (a different schedule or data would not be a resume). */
function resumedSettings(settingsFile: string, options: VarTrainingRunOptions): PartialSettings {
  if (!existsSync(settingsFile)) throw new InputError(`nothing to resume: ${settingsFile} not found (start the run without --resume)`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(settingsFile, 'utf8'));
  } catch (error) {
    throw new CheckpointError(settingsFile, `not valid JSON (${(error as Error).message})`);
  }
  const saved = parseConfig(runSettingsSchema, json, settingsFile);
  const given: Partial<Record<keyof typeof SETTING_FLAGS, unknown>> = {
    data: options.data === undefined ? undefined : resolve(options.data),
    vqvaeSteps: options.vqvaeSteps,
    varSteps: options.varSteps,
    batchSize: options.batchSize,
    varBatchSize: options.varBatchSize,
    trainImages: options.trainImages,
    heldOutImages: options.heldOutImages,
    checkpointEvery: options.checkpointEvery,
    seed: options.seed,
  };
  for (const [key, flag] of Object.entries(SETTING_FLAGS) as Array<[keyof typeof SETTING_FLAGS, string]>) {
    const value = given[key];
    if (value !== undefined && value !== saved[key]) {
      throw new InputError(`${flag} ${String(value)} differs from the run being resumed (${flag} ${String(saved[key] ?? 'all')}, ${settingsFile}); resume with the same settings or start a new --out`);
    }
  }
  if (options.config !== undefined && !isDeepStrictEqual(parseVarModelConfig(options.config), parseVarModelConfig(saved.config))) {
    throw new InputError(`--config differs from the config of the run being resumed (${settingsFile})`);
  }
  return saved;
}

function channelsOf(config: VarModelConfig): 1 | 3 {
  const channels = config.vqvae.in_channels;
  if (channels !== 1 && channels !== 3) throw new InputError(`vqvae.in_channels must be 1 (gray) or 3 (RGB) to train on images; got ${channels}`);
  return channels;
}

/** The Fashion-MNIST recipe's model with the data's classes and channels. */
function defaultConfig(data: TrainingData): VarModelConfig {
  return parseVarModelConfig({
    vqvae: { ...FASHION_MNIST_VAR_CONFIG.vqvae, in_channels: data.channels },
    var: { ...FASHION_MNIST_VAR_CONFIG.var, num_classes: data.classes.length },
  });
}

function checkConfigFitsData(config: VarModelConfig, data: TrainingData): void {
  if (config.var.num_classes < data.classes.length) {
    throw new InputError(`the data has ${data.classes.length} classes (${data.classes.join(', ')}), the model config only var.num_classes = ${config.var.num_classes}`);
  }
}

function describeData(data: TrainingData): string {
  const kind = data.kind === 'fashion-mnist' ? 'Fashion-MNIST' : 'image folder';
  return `${kind} ${data.path}: ${data.train.count} training and ${data.heldOut.count} held-out images, ${data.classes.length} classes, ${data.channels === 1 ? 'gray' : 'RGB'} ${data.train.size}×${data.train.size}`;
}

/** `, from step k` when a stage's training checkpoint is there (the Trainer resumes from it). */
function resumingAt(checkpointDir: string): string {
  const stateFile = join(checkpointDir, 'training_state.json');
  if (!existsSync(stateFile)) return '';
  try {
    return `, from step ${(JSON.parse(readFileSync(stateFile, 'utf8')) as { step: number }).step}`;
  } catch {
    return ''; // the Trainer reports an unreadable checkpoint itself
  }
}

/** Up to 16 held-out images beside their reconstructions through the tokenizer, 4 pairs to a row. */
async function writeReconstructions(model: LoadedVar, heldOut: ImageDataset, file: string): Promise<string> {
  const n = Math.min(16, heldOut.count);
  const { size, channels } = heldOut;
  const pixels = heldOut.pixels(Array.from({ length: n }, (_, i) => i));
  const recon = tf.tidy(() => model.vqvae.indicesToImages(model.vqvae.imagesToIndices(tf.tensor4d(pixels, [n, size, size, channels]))));
  const reconstructed = recon.dataSync() as Float32Array;
  recon.dispose();
  const plane = size * size * channels;
  const tile = (data: Float32Array, i: number): RasterImage => ({ data: data.subarray(i * plane, (i + 1) * plane), height: size, width: size, channels: channels as 1 | 3 });
  const images = Array.from({ length: n }, (_, i) => [tile(pixels, i), tile(reconstructed, i)]).flat();
  const titles = images.map((_, i) => (i % 2 ? 'recon.' : 'orig.'));
  return imageGridFigure({ images, columns: 8, titles, valueRange: [-1, 1], title: 'Held-out images and their VQVAE reconstructions' }).write(file);
}

/** The loss curves of both stages side by side (the whole run's, from the metrics files). */
function writeTrainingCurves(vqvae: readonly StepMetrics[], transformer: readonly StepMetrics[], file: string): Promise<string> {
  const curve = (title: string, history: readonly StepMetrics[], yLabel: string) =>
    trainingCurve({ title, series: [{ name: 'loss', x: history.map((m) => m.step), y: history.map((m) => m.loss) }], yLabel, width: 360, height: 220 });
  return panels([curve('VQVAE', vqvae, 'MSE + VQ loss'), curve('VAR transformer', transformer, 'cross-entropy (nats)')], { title: 'VAR training' }).write(file);
}
