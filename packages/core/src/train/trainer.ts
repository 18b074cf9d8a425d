import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { tf } from '../tf.js';
import { ensureBackend } from '../backend/init-backend.js';
import { AbortError, TrainingError } from '../errors.js';
import { parseConfig } from '../config/parse-config.js';
import type { ProgressListener } from '../contracts/events.js';
import type { Module, StateDict } from '../nn/module.js';
import { Rng } from '../rng/rng.js';
import { AdamW, type DecayPredicate } from './adamw.js';
import type { BatchSource } from './batch-source.js';
import { clipGradNorm, globalNorm, type NamedGrads } from './clip-grad-norm.js';
import { Ema } from './ema.js';
import { GradientAccumulator } from './gradient-accumulation.js';
import { learningRate } from './lr-schedule.js';
import { MetricsLog, type StepMetrics } from './metrics-log.js';
import { trainerConfigSchema, type TrainerConfig, type TrainerConfigInput } from './trainer-config.js';
import { disposeTrainingCheckpoint, loadTrainingCheckpoint, saveTrainingCheckpoint } from './training-checkpoint.js';

export type TrainingLoss<B> = (batch: B, rng: Rng) => tf.Scalar;

export interface TrainerOptions<B> {
  readonly model: Module;
  /** Mean loss of one micro-batch; runs inside tf.variableGrads. */
  readonly loss: TrainingLoss<B>;
  readonly source: BatchSource<B>;
  readonly config: TrainerConfigInput;
  /** Where checkpoints go (none without it). */
  readonly checkpointDir?: string;
  /** JSON-lines metrics file (none without it). */
  readonly metricsFile?: string;
  /** Written as the checkpoint's config.json. */
  readonly modelConfig?: unknown;
  readonly decay?: DecayPredicate;
  /** Tokens in one micro-batch, for tokens/s. */
  readonly tokensPerBatch?: (batch: B) => number;
  readonly onProgress?: ProgressListener;
  /** The `stage` of its progress events (default 'train'), e.g. 'vqvae' and 'var' for two trainings in one run. */
  readonly progressStage?: string;
  readonly signal?: AbortSignal;
  /**
   * Further files written into every checkpoint by the same atomic save (what the model needs beside its weights: an
   * entropy profile, a tokenizer.json, ...): `<name>.safetensors` and `<name>.json`. The trainer disposes the tensors.
   * A resumed run reads them back itself from the checkpoint directory.
   */
  readonly checkpointExtras?: () => CheckpointExtras;
}

export interface CheckpointExtras {
  readonly tensorFiles?: Readonly<Record<string, StateDict>>;
  readonly jsonFiles?: Readonly<Record<string, unknown>>;
}

export interface RunOptions {
  /** Stop after this many completed steps (default: config.steps), saving a checkpoint there. */
  readonly untilStep?: number;
  /** Checked after every step: when it returns true the run stops there, saving a checkpoint (e.g. a time budget). */
  readonly stopWhen?: () => boolean;
}

export interface TrainResult {
  /** Steps completed in total. */
  readonly step: number;
  /** Metrics of every step this run took. */
  readonly history: readonly StepMetrics[];
  /** The last checkpoint written or resumed from. */
  readonly checkpoint?: string;
}

/**
 * The training loop: AdamW with a warm-up + decay schedule, global-norm clipping, gradient accumulation, optional EMA,
 * JSON-lines metrics, progress events, atomic checkpoints that resume exactly (weights, optimizer moments, EMA,
 * step, the loss's Rng, the model's own training state (Rng positions of dropout and drop path, counters) and the
 * batch-source position), a stop with
 * TrainingError on a non-finite loss or gradient norm (before the bad update, so nothing is saved from it), and
 * AbortSignal support between steps and between the micro-batches of a step (an abort saves a checkpoint of the steps
 * done first, when there is a checkpoint directory).
 */
export class Trainer<B> {
  readonly config: TrainerConfig;
  readonly optimizer: AdamW;
  readonly ema: Ema | undefined;
  private readonly parameters: Array<[string, tf.Variable]>;
  private readonly metrics: MetricsLog | undefined;
  private rng: Rng;
  private completed = 0;
  private lastCheckpoint: string | undefined;
  /** The step of the last checkpoint saved or resumed from. */
  private savedStep = 0;

  constructor(private readonly options: TrainerOptions<B>) {
    this.config = parseConfig(trainerConfigSchema, options.config, 'trainer config');
    this.parameters = options.model.namedParameters();
    this.optimizer = new AdamW(this.parameters, {
      beta1: this.config.betas[0],
      beta2: this.config.betas[1],
      eps: this.config.eps,
      weightDecay: this.config.weightDecay,
      ...(options.decay ? { decay: options.decay } : {}),
    });
    this.ema = this.config.ema ? new Ema(this.parameters, this.config.ema) : undefined;
    this.metrics = options.metricsFile ? new MetricsLog(options.metricsFile) : undefined;
    this.rng = Rng.seeded(this.config.seed);
  }

  /** Optimizer steps completed. */
  get step(): number {
    return this.completed;
  }

  /** Restores everything from a checkpoint directory (default: checkpointDir); returns the step reached. */
  resume(dir = this.options.checkpointDir): number {
    if (!dir) throw new TrainingError('resume needs a checkpoint directory', this.completed);
    const checkpoint = loadTrainingCheckpoint(dir, { ema: this.ema !== undefined });
    try {
      this.options.model.loadStateDict(checkpoint.weights, { source: dir });
      this.optimizer.loadState(checkpoint.optimizer, dir);
      if (this.ema && checkpoint.ema) this.ema.loadAverages(checkpoint.ema, checkpoint.state.emaUpdates ?? 0, dir);
    } finally {
      disposeTrainingCheckpoint(checkpoint);
    }
    this.rng = Rng.fromState(checkpoint.state.rng);
    this.options.model.loadTrainingState(checkpoint.state.model ?? {});
    this.options.source.restore(checkpoint.state.source);
    this.completed = checkpoint.state.step;
    this.savedStep = this.completed;
    this.lastCheckpoint = dir;
    return this.completed;
  }

  /** Resumes from checkpointDir when a checkpoint is there; returns the step reached (0 for a fresh start). */
  resumeIfPresent(): number {
    const dir = this.options.checkpointDir;
    return dir && existsSync(dir) ? this.resume(dir) : 0;
  }

  async run(runOptions: RunOptions = {}): Promise<TrainResult> {
    await ensureBackend();
    const until = Math.min(runOptions.untilStep ?? this.config.steps, this.config.steps);
    // Keeps the lines up to the steps already taken: none on a fresh start, the resumed ones, and earlier chunks of
    // this trainer when run() is called again with a later untilStep.
    this.metrics?.reset(this.completed);
    const history: StepMetrics[] = [];
    const started = performance.now();
    while (this.completed < until) {
      // A macrotask turn per step lets signal handlers (Ctrl-C) run; resolved promises alone would not.
      await new Promise((resolve) => setImmediate(resolve));
      if (this.options.signal?.aborted) this.stopOnAbort();
      const metrics = await this.trainStep(started);
      history.push(metrics);
      this.report(metrics, until);
      const every = this.config.checkpointEvery;
      const due = every > 0 && this.completed % every === 0;
      const stop = runOptions.stopWhen?.() === true;
      if (this.options.checkpointDir && (due || stop || this.completed === until)) this.saveCheckpoint();
      if (stop) break;
    }
    return { step: this.completed, history, ...(this.lastCheckpoint ? { checkpoint: this.lastCheckpoint } : {}) };
  }

  /**
   * Between steps, on abort: saves a checkpoint of the steps done since the last one (so an interrupted run resumes
   * where it stopped, not at the last `checkpointEvery` multiple), then throws AbortError.
   */
  private stopOnAbort(): never {
    if (this.options.checkpointDir && this.completed > this.savedStep) this.saveCheckpoint();
    const saved = this.lastCheckpoint ? `; checkpoint at step ${this.savedStep} in ${this.lastCheckpoint}` : '';
    throw new AbortError(`training aborted after step ${this.completed}${saved}`);
  }

  /** Writes a checkpoint of the current state (atomically) into `dir` (default: checkpointDir). */
  saveCheckpoint(dir = this.options.checkpointDir): string {
    if (!dir) throw new TrainingError('saving needs a checkpoint directory', this.completed);
    const weights = this.options.model.stateDict();
    const optimizer = this.optimizer.state();
    const ema = this.ema?.averages();
    const extras = this.options.checkpointExtras?.() ?? {};
    try {
      saveTrainingCheckpoint(dir, {
        ...(extras.tensorFiles ? { extra: extras.tensorFiles } : {}),
        ...(extras.jsonFiles ? { extraJson: extras.jsonFiles } : {}),
        modelConfig: this.options.modelConfig,
        weights,
        optimizer,
        ...(ema ? { ema } : {}),
        state: {
          step: this.completed,
          rng: this.rng.state(),
          model: this.options.model.trainingState(),
          source: this.options.source.state(),
          ...(this.ema ? { emaUpdates: this.ema.numUpdates } : {}),
        },
      });
    } finally {
      tf.dispose([
        ...Object.values(weights),
        ...Object.values(optimizer.m),
        ...Object.values(optimizer.v),
        ...Object.values(ema ?? {}),
        ...Object.values(extras.tensorFiles ?? {}).flatMap((file) => Object.values(file)),
      ]);
    }
    this.lastCheckpoint = dir;
    this.savedStep = this.completed;
    return dir;
  }

  private async trainStep(runStarted: number): Promise<StepMetrics> {
    const stepStarted = performance.now();
    const { loss: meanLoss, grads: raw, tokens } = await this.accumulate();
    const lr = learningRate(this.completed, this.config.steps, this.config.lr, this.config.schedule);
    const { figures, grads } = tf.tidy(() => {
      const clipNorm = this.config.clipNorm;
      const clipped = clipNorm === null ? { grads: raw, norm: globalNorm(raw) } : clipGradNorm(raw, clipNorm);
      return { figures: tf.stack([meanLoss, clipped.norm]), grads: clipped.grads };
    });
    const kept = new Set(Object.values(grads));
    tf.dispose([meanLoss, ...Object.values(raw).filter((g) => !kept.has(g))]);
    const [loss, gradNorm] = Array.from(figures.dataSync()) as [number, number];
    figures.dispose();
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
      tf.dispose(Object.values(grads));
      const kept = this.lastCheckpoint ? `; the last good checkpoint (${this.lastCheckpoint}) is kept` : '';
      throw new TrainingError(
        `non-finite ${Number.isFinite(loss) ? 'gradient norm' : 'loss'} (loss ${loss}, grad norm ${gradNorm}) at step ${this.completed + 1}${kept}`,
        this.completed + 1,
        this.lastCheckpoint,
      );
    }
    this.optimizer.apply(grads, lr);
    tf.dispose(Object.values(grads));
    this.ema?.update();
    this.completed += 1;
    const now = performance.now();
    const stepMs = now - stepStarted;
    return {
      step: this.completed,
      loss,
      lr,
      gradNorm,
      ...(tokens === undefined ? {} : { tokensPerSecond: stepMs > 0 ? (tokens * 1000) / stepMs : 0 }),
      stepMs,
      time: (now - runStarted) / 1000,
    };
  }

  /**
   * The step's micro-batches, one at a time with a turn of the event loop between them: an abort there abandons the
   * step (the batch source and the Rngs go back to where the step began, so a resumed run draws the same batches and
   * masks) and
   * saves the steps done so far. A step of several micro-batches thus answers Ctrl-C within one micro-batch.
   */
  private async accumulate(): Promise<{ loss: tf.Scalar; grads: NamedGrads; tokens: number | undefined }> {
    const sourceBefore = this.options.source.state();
    const rngBefore = this.rng.state();
    const modelBefore = this.options.model.trainingState();
    const accumulator = new GradientAccumulator(this.parameters);
    const countTokens = this.options.tokensPerBatch;
    let tokens = countTokens ? 0 : undefined;
    try {
      for (let i = 0; i < this.config.accumulate; i++) {
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        const batch = await this.options.source.next();
        if (this.options.signal?.aborted) {
          accumulator.dispose();
          this.options.source.restore(sourceBefore);
          this.rng = Rng.fromState(rngBefore);
          this.options.model.loadTrainingState(modelBefore);
          this.stopOnAbort();
        }
        if (countTokens) tokens = (tokens ?? 0) + countTokens(batch);
        accumulator.add(() => this.options.loss(batch, this.rng));
      }
      return { ...accumulator.result(), tokens };
    } catch (error) {
      accumulator.dispose();
      throw error;
    }
  }

  private report(metrics: StepMetrics, until: number): void {
    if (metrics.step % this.config.logEvery === 0 || metrics.step === until) this.metrics?.append(metrics);
    this.options.onProgress?.({
      stage: this.options.progressStage ?? 'train',
      completed: metrics.step,
      total: this.config.steps,
      metrics: {
        loss: metrics.loss,
        lr: metrics.lr,
        gradNorm: metrics.gradNorm,
        ...(metrics.tokensPerSecond === undefined ? {} : { tokensPerSecond: metrics.tokensPerSecond }),
      },
    });
  }

  /** Frees the optimizer moments and EMA averages (the model belongs to the caller). */
  dispose(): void {
    this.optimizer.dispose();
    this.ema?.dispose();
  }
}
