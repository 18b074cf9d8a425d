import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Module, Rng, Trainer, ensureBackend, parseConfig, tf, type ProgressListener } from '@nextx/core';
import { FrameAutoencoder } from '../autoencoder/frame-autoencoder.js';
import { MovingObjects } from '../data/moving-objects.js';
import { saveVideoModel } from '../model/checkpoint.js';
import { VideoModel } from '../model/video-model.js';
import { videoModelConfigSchema, type VideoModelConfigInput } from '../model/config.js';
import { adversarialTerms, type CleanPrediction } from './adversarial-loss.js';
import { FrameDiscriminator } from './frame-discriminator.js';
import { ReferenceDiscriminator } from './reference-discriminator.js';
import { FrameBatchSource } from './frame-batch-source.js';
import { MaskCache, flowMatchingLoss, samplerGrid } from './flow-matching-loss.js';
import { profileHeads } from './head-roles.js';
import { trainRecipeSchema, type TrainRecipe, type TrainRecipeInput } from './recipe.js';
import { VideoBatchSource, type VideoBatch } from './video-batch-source.js';

export interface TrainVideoOptions {
  /** Run directory: stage checkpoints (resumable), metrics, and the final model in `<out>/model`. */
  readonly out: string;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

export interface TrainVideoResult {
  readonly checkpoint: string;
  readonly autoencoder: { readonly steps: number; readonly finalLoss: number | undefined; readonly seconds: number };
  readonly transformer: { readonly steps: number; readonly finalLoss: number | undefined; readonly seconds: number; readonly selfForcedBatches: number; readonly unrolledBatches: number };
  readonly latentMean: number;
  readonly latentScale: number;
  readonly parameters: number;
}

/** The model config a recipe trains (latent statistics and head roles are filled in by the run). */
export function recipeModelConfig(recipe: TrainRecipe): VideoModelConfigInput {
  return {
    ...recipe.model,
    data: recipe.data,
    autoencoder: { ...recipe.model.autoencoder, frameSize: recipe.data.size },
    // The window a clip's last chunk saw besides the sink chunk: what generation keeps by default.
    generation: {
      windowFrames: (recipe.transformer.chunksPerClip - 2) * recipe.model.framesPerChunk,
      sampling: recipe.sampling,
      contextNoise: recipe.transformer.inferenceContextNoise,
    },
  };
}

/**
 * Trains a model in two stages, each resumable from its checkpoint in `out`: the frame autoencoder (pixel MSE), then —
 * with the autoencoder frozen and its latents standardised — the chunk transformer by teacher-forced flow matching,
 * self-forced in the second part of the run. The head roles for Forcing-KV compression are profiled at the end and the
 * model is written to `<out>/model`.
 */
export async function trainVideoModel(input: TrainRecipeInput, options: TrainVideoOptions): Promise<TrainVideoResult> {
  const recipe = parseConfig(trainRecipeSchema, input, 'training recipe');
  parseConfig(videoModelConfigSchema, recipeModelConfig(recipe), 'training recipe model'); // cross-field checks before the stages run
  await ensureBackend();
  const data = new MovingObjects(recipe.data);
  const autoencoder = new FrameAutoencoder({ ...recipe.model.autoencoder, frameSize: recipe.data.size }, {});
  const aeStarted = performance.now();
  const aeResult = await runAutoencoderStage(recipe, autoencoder, data, options);
  const aeSeconds = (performance.now() - aeStarted) / 1000;
  const stats = await latentStatistics(autoencoder, data, recipe.seed);
  const model = new VideoModel({ ...recipeModelConfig(recipe), latentMean: stats.mean, latentScale: stats.scale }, { seed: recipe.seed });
  const weights = autoencoder.stateDict();
  model.autoencoder.loadStateDict(weights, { source: 'the autoencoder stage' });
  tf.dispose(Object.values(weights));
  autoencoder.dispose();
  try {
    const started = performance.now();
    const tr = await runTransformerStage(recipe, model, data, options);
    const seconds = (performance.now() - started) / 1000;
    options.onProgress?.({ stage: 'profile heads', completed: 0, total: 1 });
    const headRoles = profileHeads(model, data, { seed: recipe.seed });
    const final = new VideoModel({ ...model.config, headRoles });
    const state = model.stateDict();
    final.loadStateDict(state, { source: 'the trained model' });
    tf.dispose(Object.values(state));
    const checkpoint = join(options.out, 'model');
    saveVideoModel(final, checkpoint);
    const parameters = final.numParameters();
    final.dispose();
    return {
      checkpoint,
      autoencoder: { steps: recipe.autoencoder.steps, finalLoss: aeResult.finalLoss, seconds: aeSeconds },
      transformer: { steps: recipe.transformer.steps, finalLoss: tr.finalLoss, seconds, selfForcedBatches: tr.selfForced, unrolledBatches: tr.unrolled },
      latentMean: stats.mean,
      latentScale: stats.scale,
      parameters,
    };
  } finally {
    model.dispose();
  }
}

async function runAutoencoderStage(recipe: TrainRecipe, autoencoder: FrameAutoencoder, data: MovingObjects, options: TrainVideoOptions): Promise<{ finalLoss: number | undefined }> {
  const size = recipe.data.size;
  const source = new FrameBatchSource(data, recipe.autoencoder.batch, recipe.seed + 1, recipe.seed);
  const trainer = new Trainer({
    model: autoencoder,
    loss: (batch) => tf.tidy(() => autoencoder.loss(tf.tensor4d(batch.frames, [batch.batch, size, size, 1]))),
    source,
    config: {
      steps: recipe.autoencoder.steps,
      lr: recipe.autoencoder.lr,
      schedule: { kind: 'cosine', warmupSteps: 20, minLr: recipe.autoencoder.lr / 10 },
      weightDecay: 0,
      checkpointEvery: recipe.checkpointEvery,
      seed: recipe.seed,
    },
    checkpointDir: join(options.out, 'autoencoder-run'),
    metricsFile: join(options.out, 'autoencoder-metrics.jsonl'),
    modelConfig: autoencoder.config,
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (event) => options.onProgress?.({ ...event, stage: 'autoencoder' }),
  });
  try {
    trainer.resumeIfPresent();
    const result = await trainer.run();
    return { finalLoss: result.history[result.history.length - 1]?.loss };
  } finally {
    trainer.dispose();
  }
}

async function runTransformerStage(recipe: TrainRecipe, model: VideoModel, data: MovingObjects, options: TrainVideoOptions): Promise<{ finalLoss: number | undefined; selfForced: number; unrolled: number }> {
  const t = recipe.transformer;
  const start = Math.round(recipe.selfForcing.start * t.steps);
  const source = new VideoBatchSource(model, data, {
    batch: t.batch,
    chunksPerClip: t.chunksPerClip,
    gapProbability: t.gapProbability,
    maxGapFrames: t.maxGapFrames,
    selfForcing: (step) => (step >= start ? recipe.selfForcing.probability : 0),
    ...(recipe.selfForcing.unroll > 0 ? { unroll: (step: number) => (step >= start ? recipe.selfForcing.unroll : 0) } : {}),
    sampling: recipe.sampling,
    seed: recipe.seed + 2,
  });
  const masks = new MaskCache();
  let selfForced = 0;
  let unrolled = 0;
  const lossOptions = {
    perFrameNoise: t.perFrameNoise,
    gridProbability: t.gridProbability,
    grid: samplerGrid(recipe.sampling.steps, recipe.sampling.shift),
    contextNoise: t.contextNoise,
    rolloutTargetWeight: recipe.selfForcing.targetWeight,
    unrollDepth: recipe.selfForcing.unrollDepth,
  };
  const adversarial = recipe.adversarial.weight > 0 ? new AdversarialStage(recipe, model, join(options.out, 'adversarial-metrics.jsonl')) : undefined;
  const trainer: Trainer<VideoBatch> = new Trainer({
    model: adversarial?.optimised ?? model.transformer,
    loss: (batch, rng) => {
      if (batch.selfForced) selfForced++;
      if (batch.unrolled) unrolled++;
      return flowMatchingLoss(model, batch, rng, lossOptions, masks, adversarial?.term(trainer.step));
    },
    source,
    config: {
      steps: t.steps,
      lr: t.lr,
      schedule: { kind: 'cosine', warmupSteps: t.warmup, minLr: t.lr / 10 },
      weightDecay: 0.01,
      checkpointEvery: recipe.checkpointEvery,
      seed: recipe.seed + 3,
    },
    checkpointDir: join(options.out, 'transformer-run'),
    metricsFile: join(options.out, 'transformer-metrics.jsonl'),
    modelConfig: model.config,
    tokensPerBatch: (batch) => batch.batch * batch.frames.length * model.layout.tokensPerFrame,
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (event) => options.onProgress?.({ ...event, stage: 'transformer' }),
  });
  try {
    trainer.resumeIfPresent();
    const result = await trainer.run();
    return { finalLoss: result.history[result.history.length - 1]?.loss, selfForced, unrolled };
  } finally {
    trainer.dispose();
    masks.dispose();
    adversarial?.dispose();
  }
}

/**
 * The adversarial part of the transformer stage: a discriminator optimised with the transformer (one module, one
 * optimizer, so checkpoints and resumes hold both), its term added to the flow-matching loss, and its two sides logged
 * to `metricsFile` every 50 steps and at the start of the generator's term.
 */
class AdversarialStage {
  readonly discriminator: FrameDiscriminator;
  readonly reference: ReferenceDiscriminator | undefined;
  readonly optimised: Module;
  private readonly start: number;

  constructor(
    private readonly recipe: TrainRecipe,
    private readonly model: VideoModel,
    private readonly metricsFile: string,
  ) {
    const conditioningFrames = model.config.lastFrameConditioning && recipe.adversarial.conditioned ? model.config.conditioningFrames : 0;
    this.discriminator = new FrameDiscriminator({ conditioningFrames, hidden: recipe.adversarial.hidden, rng: Rng.seeded(recipe.seed + 5) });
    this.reference = recipe.adversarial.reference ? new ReferenceDiscriminator({ hidden: recipe.adversarial.hidden, rng: Rng.seeded(recipe.seed + 6) }) : undefined;
    this.optimised = new TransformerWithDiscriminator(model.transformer, this.discriminator, this.reference);
    this.start = Math.round(recipe.adversarial.start * recipe.transformer.steps);
  }

  /** The term of the step after `completed` steps: the discriminator's loss, and from `start` on the generator's. */
  term(completed: number): (prediction: CleanPrediction) => tf.Scalar {
    const weight = completed >= this.start ? this.recipe.adversarial.weight : 0;
    return (prediction) => {
      const terms = adversarialTerms(this.model, this.discriminator, prediction, weight, this.reference);
      if (completed % 50 === 0 || completed === this.start) {
        const [discriminator, generator] = [terms.discriminator.dataSync()[0], terms.generator.dataSync()[0]];
        const reference = terms.reference ? { reference: terms.reference.dataSync()[0] } : {};
        appendFileSync(this.metricsFile, `${JSON.stringify({ step: completed + 1, weight, discriminator, generator, ...reference })}\n`);
      }
      tf.dispose([terms.discriminator, terms.generator, ...(terms.reference ? [terms.reference] : [])]);
      return terms.total;
    };
  }

  dispose(): void {
    this.discriminator.dispose();
    this.reference?.dispose();
  }
}

class TransformerWithDiscriminator extends Module {
  constructor(transformer: Module, discriminator: FrameDiscriminator, reference: ReferenceDiscriminator | undefined) {
    super();
    this.addModule('transformer', transformer);
    this.addModule('discriminator', discriminator);
    if (reference) this.addModule('reference', reference);
  }
}

/** Mean and 1/std of the autoencoder's latents over 256 training frames (the transformer sees standardised latents). */
export async function latentStatistics(autoencoder: FrameAutoencoder, data: MovingObjects, seed: number): Promise<{ mean: number; scale: number }> {
  const size = data.config.size;
  const { frames, batch } = await new FrameBatchSource(data, 256, seed + 7, seed).next();
  const moments = tf.tidy(() => {
    const { mean, variance } = tf.moments(autoencoder.encode(tf.tensor4d(frames, [batch, size, size, 1])));
    return tf.stack([mean, variance]);
  });
  const [mean, variance] = Array.from(moments.dataSync()) as [number, number];
  moments.dispose();
  return { mean, scale: 1 / Math.sqrt(Math.max(variance, 1e-12)) };
}
