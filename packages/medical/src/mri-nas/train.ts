import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { tf, Rng, Trainer, parseConfig, type ProgressListener, type StepMetrics } from '@nextx/core';
import type { MriNasConfigInput } from './config.js';
import { mriNasCrossEntropy } from './loss.js';
import { MriNasModel } from './model.js';
import { sliceDataSchema, readSplitSlices } from './data-source.js';
import { PoolImageSource, PoolTokenSource, buildExamplePool, encodePool, trainingDataSchema, type ExamplePool, type LevelImageBatch } from './training-data.js';

/** The configuration this package's demo checkpoint was trained with (see README): 64×64, levels 8×, 4×, 2×, 1×. */
export const DEMO_MODEL_CONFIG: MriNasConfigInput = {
  imageSize: 64,
  accelerations: [8, 4, 2, 1],
  centerFraction: 0.64,
  tokenizer: { channels: [8, 16, 32, 64], latentDim: 16, codebookSize: 256, numGroups: 8, normalizeLatent: true },
  transformer: { depth: 3, width: 96, numHeads: 4, mlpRatio: 3 },
};

const stageSchema = (steps: number, batchSize: number, lr: number) =>
  z.object({ steps: z.number().int().positive().default(steps), batchSize: z.number().int().positive().default(batchSize), lr: z.number().positive().default(lr) });

export const trainRecipeSchema = z.object({
  model: z.record(z.string(), z.unknown()).default(DEMO_MODEL_CONFIG as Record<string, unknown>),
  data: sliceDataSchema.prefault({}),
  simulation: trainingDataSchema.prefault({}),
  /** Simulated examples drawn once and reused (each with its own coils, phase, noise, mask). */
  poolSize: z.number().int().positive().default(384),
  tokenizer: stageSchema(600, 4, 2e-3).prefault({}),
  transformer: stageSchema(600, 8, 1e-3).prefault({}),
  /** Restart unused codewords every this many tokenizer steps (from the current residuals). */
  restartEvery: z.number().int().positive().default(100),
  seed: z.number().int().default(0),
});
export type TrainRecipe = z.input<typeof trainRecipeSchema>;

export interface TrainReport {
  readonly checkpoint: string;
  readonly data: string;
  readonly parameters: { tokenizer: number; transformer: number };
  readonly tokenizerSeconds: number;
  readonly transformerSeconds: number;
  readonly simulationSeconds: number;
  readonly tokenizerLoss: readonly StepMetrics[];
  readonly transformerLoss: readonly StepMetrics[];
  readonly codebookUsage: number;
}

export interface TrainContext {
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
  readonly log?: (message: string) => void;
}

/**
 * Trains medical/mri-nas in two stages, each a core Trainer that checkpoints (atomically) and resumes from
 * `<out>.training/`: the tokenizer on the level images of a pool of simulated acquisitions (`trainingLoss`: L1 on the
 * fully sampled level and one level from the measured one up, plus the VQ losses; unused codewords restarted every
 * `restartEvery` steps),
 * then the transformer on the pool encoded by the frozen tokenizer. Writes the checkpoint to `out`.
 */
export async function trainMriNas(out: string, recipe: TrainRecipe, context: TrainContext = {}): Promise<TrainReport> {
  const r = parseConfig(trainRecipeSchema, recipe, 'medical/mri-nas training recipe');
  const log = context.log ?? (() => undefined);
  const model = new MriNasModel(r.model, r.seed);
  const config = model.config;
  const work = `${out}.training`;
  try {
    const slices = readSplitSlices(r.data, config.imageSize, r.seed);
    log(`data: ${slices.description}`);
    const started = performance.now();
    const pool = buildExamplePool(config, slices.train, r.simulation, r.poolSize, Rng.seeded(r.seed + 1), context);
    const simulationSeconds = (performance.now() - started) / 1000;
    log(`simulated ${pool.size} acquisitions in ${simulationSeconds.toFixed(0)} s`);

    const K = config.accelerations.length;
    const n = config.imageSize;
    model.tokenizer.train();
    const imageSource = new PoolImageSource(pool, r.tokenizer.batchSize, r.seed + 2);
    const tokenizerTrainer = new Trainer<LevelImageBatch>({
      model: model.tokenizer,
      loss: (batch, rng) => model.tokenizer.trainingLoss(tf.tensor5d(batch.images, [batch.batch, K, n, n, 2]), batch.inputLevels, rng),
      source: imageSource,
      config: { steps: r.tokenizer.steps, lr: r.tokenizer.lr, weightDecay: 0, schedule: { kind: 'cosine', warmupSteps: 20, minLr: r.tokenizer.lr / 20 }, checkpointEvery: r.restartEvery, seed: r.seed + 3 },
      checkpointDir: join(work, 'tokenizer'),
      modelConfig: config,
      onProgress: (e) => context.onProgress?.({ ...e, stage: 'tokenizer' }),
      ...(context.signal ? { signal: context.signal } : {}),
    });
    let t0 = performance.now();
    const tokenizerLoss: StepMetrics[] = [];
    tokenizerTrainer.resumeIfPresent();
    while (tokenizerTrainer.step < r.tokenizer.steps) {
      // restarts happen at multiples of restartEvery, after the checkpoint of that step, so a resumed run does the same
      // (but usage counts are not saved: after a resume they count from the resumed step)
      if (tokenizerTrainer.step > 0) {
        const restarted = restartDeadCodes(model, pool, Rng.seeded(r.seed + 10_000 + tokenizerTrainer.step));
        log(`tokenizer step ${tokenizerTrainer.step}: loss ${tokenizerLoss.at(-1)?.loss.toFixed(4) ?? '(resumed)'}, ${restarted} unused codewords restarted`);
      }
      const result = await tokenizerTrainer.run({ untilStep: Math.min(r.tokenizer.steps, tokenizerTrainer.step + r.restartEvery) });
      tokenizerLoss.push(...result.history);
    }
    tokenizerTrainer.dispose();
    const tokenizerSeconds = (performance.now() - t0) / 1000;
    model.tokenizer.eval();

    const encoded = encodePool(model.tokenizer, pool);
    const codebookUsage = new Set(encoded.targets).size / config.tokenizer.codebookSize;
    log(`tokenizer done in ${tokenizerSeconds.toFixed(0)} s; ${(codebookUsage * 100).toFixed(0)} % of the codebook in use`);
    model.transformer.train();
    const transformerTrainer = new Trainer({
      model: model.transformer,
      loss: (batch) => mriNasCrossEntropy(model.transformer, batch),
      source: new PoolTokenSource(encoded, r.transformer.batchSize, r.seed + 4),
      config: { steps: r.transformer.steps, lr: r.transformer.lr, weightDecay: 0.05, schedule: { kind: 'cosine', warmupSteps: 20, minLr: r.transformer.lr / 20 }, checkpointEvery: 100, seed: r.seed + 5 },
      checkpointDir: join(work, 'transformer'),
      modelConfig: config,
      onProgress: (e) => context.onProgress?.({ ...e, stage: 'transformer' }),
      ...(context.signal ? { signal: context.signal } : {}),
    });
    t0 = performance.now();
    transformerTrainer.resumeIfPresent();
    const transformerLoss = (await transformerTrainer.run()).history;
    transformerTrainer.dispose();
    const transformerSeconds = (performance.now() - t0) / 1000;
    model.transformer.eval();
    const report = {
      checkpoint: out,
      data: slices.description,
      parameters: model.numParameters(),
      tokenizerSeconds,
      transformerSeconds,
      simulationSeconds,
      tokenizerLoss,
      transformerLoss,
      codebookUsage,
    };
    model.save(out, {
      metadata: {
        recipe: r,
        data: slices.description,
        seconds: { simulation: simulationSeconds, tokenizer: tokenizerSeconds, transformer: transformerSeconds },
        finalLoss: { tokenizer: tokenizerLoss.at(-1)?.loss, transformer: transformerLoss.at(-1)?.loss },
      },
    });
    return report;
  } finally {
    model.dispose();
  }
}

/** Re-initialises the codewords no level used since the last restart, from the residuals of a few pool examples. */
function restartDeadCodes(model: MriNasModel, pool: ExamplePool, rng: Rng): number {
  const { config, tokenizer } = model;
  const per = pool.images.length / pool.size;
  const count = Math.min(8, pool.size);
  const images = new Float32Array(count * per);
  for (let b = 0; b < count; b++) {
    const i = rng.int(0, pool.size - 1);
    images.set(pool.images.subarray(i * per, (i + 1) * per), b * per);
  }
  const K = config.accelerations.length;
  const n = config.imageSize;
  const residuals = tf.tidy(() => tokenizer.quantizeLevels(tokenizer.encodeLatents(tf.tensor5d(images, [count, K, n, n, 2]))).residuals);
  const restarted = tokenizer.quantize.restartDeadCodes(residuals, rng).length;
  residuals.dispose();
  return restarted;
}
