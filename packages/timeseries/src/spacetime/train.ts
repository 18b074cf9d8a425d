import { z } from 'zod';
import { tf, AdamW, CheckpointError, EpochBatchSource, InputError, learningRate, parseConfig, TrainingError, type ProgressListener, type StateDict } from '@nextx/core';
import { spacetimeTrainConfigSchema, type SpacetimeTrainConfig, type SpacetimeTrainConfigInput } from './config.js';
import { spacetimeLoss } from './loss.js';
import type { SpacetimeModel } from './model.js';
import { dataFingerprint, ResumableTraining, type TrainingCheckpointOptions } from '../training/resumable-training.js';
import type { SequenceWindows } from '../data/windows.js';

/**
 * Gradients of the training loss by parameter name; parameters the loss does not reach (the decoder's `skip`, a
 * moving-average `ma_window`) get none, so the optimizer leaves them untouched (as torch's `grad is None`).
 */
export function spacetimeGradients(model: SpacetimeModel, x: tf.Tensor, y: tf.Tensor, config: SpacetimeTrainConfig, allTerms: boolean): { loss: number; terms: number[]; grads: Record<string, tf.Tensor> } {
  const parameters = model.namedParameters();
  const { figures, grads } = tf.tidy(() => {
    let termValues: tf.Tensor | undefined;
    const { value, grads: g } = tf.variableGrads(() => {
      const { terms, loss } = spacetimeLoss(model, x, y, { criterion: config.loss, weights: config.criterion_weights, transform: config.data_transform, allTerms });
      termValues = tf.keep(tf.stack(terms));
      return loss;
    }, parameters.map(([, p]) => p));
    const byName: Record<string, tf.Tensor> = {};
    for (const [name, p] of parameters) {
      const grad = g[p.name];
      if (grad) byName[name] = grad;
    }
    const stacked = tf.concat([tf.reshape(value, [1]), termValues as tf.Tensor]);
    termValues?.dispose();
    return { figures: stacked, grads: byName };
  });
  const [loss, ...terms] = Array.from(figures.dataSync());
  figures.dispose();
  return { loss: loss as number, terms, grads };
}

export interface SpacetimeEpochRecord {
  readonly epoch: number;
  /** The epoch's learning rate. */
  readonly lr: number;
  readonly trainLoss: number;
  readonly validLoss?: number;
  /** Whether the open-loop terms were trained this epoch. */
  readonly allTerms: boolean;
}

export interface SpacetimeTrainOptions {
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
  readonly onEpoch?: (record: SpacetimeEpochRecord) => void;
  /** A training checkpoint, written after every epoch, when interrupted and at the end; `resume` continues from it. */
  readonly checkpoint?: TrainingCheckpointOptions;
}

export interface SpacetimeTrainResult {
  readonly history: SpacetimeEpochRecord[];
  /** The epoch with the lowest validation loss (whose weights the model ends with under `return_best`). */
  readonly bestEpoch?: number;
  /** Whether `early_stopping_epochs` ended the run before `epochs`. */
  readonly stoppedEarly: boolean;
}

const recordSchema = z.object({ epoch: z.number(), lr: z.number(), trainLoss: z.number(), validLoss: z.number().optional(), allTerms: z.boolean() });

/** What a SpaceTime training checkpoint keeps besides weights, optimizer and batch position. */
const loopSchema = z.object({
  history: z.array(recordSchema),
  /** Sum of the current epoch's batch losses so far. */
  epochLossSum: z.number(),
  best: z.object({ epoch: z.number(), validLoss: z.number() }).optional(),
  epochsSinceBest: z.number(),
});
type LoopState = z.infer<typeof loopSchema>;

const BEST = 'best';

function parseLoop(value: unknown, file: string): LoopState {
  const parsed = loopSchema.safeParse(value);
  if (!parsed.success) throw new CheckpointError(file, `not a SpaceTime training state: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/**
 * Trains SpaceTime as `main.py` does, minus its bug: AdamW (torch's, weight decay on every parameter) over shuffled
 * batches, all three loss terms every epoch, a closed-loop validation loss after each epoch, the learning rate set
 * per epoch (constant, or cosine with warm-up as the official timm scheduler), optional early stopping and a return
 * to the best validation epoch's weights (`train_model(return_best=True, early_stopping_epochs)`). With
 * `official_closed_loop_only_after_first_epoch` the official behaviour is copied (only the first epoch trains the
 * open-loop terms). Stops between batches when the signal fires (saving a checkpoint there when given one); a
 * resumed run continues to exactly what an uninterrupted one computes.
 */
export async function trainSpacetime(
  model: SpacetimeModel,
  data: { train: SequenceWindows; valid?: SequenceWindows },
  trainConfig: SpacetimeTrainConfigInput,
  options: SpacetimeTrainOptions = {},
): Promise<SpacetimeTrainResult> {
  const config = parseConfig(spacetimeTrainConfigSchema, trainConfig, 'SpaceTime training config');
  const { train } = data;
  if (train.lag !== model.lag || train.horizon !== model.horizon) {
    throw new InputError(`windows of ${train.lag} lags → ${train.horizon} steps do not fit a SpaceTime model of lag ${model.lag}, horizon ${model.horizon}`);
  }
  if (train.n < 1) throw new InputError('no training windows');
  const valid = data.valid && data.valid.n > 0 ? data.valid : undefined;
  if ((config.return_best || config.early_stopping_epochs !== null) && !valid) throw new InputError('return_best and early_stopping_epochs need validation windows');
  const optimizer = new AdamW(model.namedParameters(), { beta1: config.betas[0], beta2: config.betas[1], eps: config.eps, weightDecay: config.weight_decay, decay: () => true });
  const source = new EpochBatchSource({ rows: train.n, batchSize: config.batch_size, seed: config.seed });
  const batches = source.batches;
  const run = new ResumableTraining({
    model,
    optimizer,
    source,
    identity: { model: model.config, train: config, data: dataFingerprint([train.x, train.y, ...(valid ? [valid.x, valid.y] : [])]) },
    ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const xAll = tf.tensor3d(train.x, [train.n, train.lag, train.channels]);
  const yAll = tf.tensor3d(train.y, [train.n, train.horizon, train.channels]);
  let best: StateDict = {};
  try {
    const restored = run.restore(parseLoop, config.return_best ? [BEST] : []);
    best = restored?.extra[BEST] ?? {};
    const loop: LoopState = restored?.loop ?? { history: [], epochLossSum: 0, epochsSinceBest: 0 };
    let step = restored?.step ?? 0;
    const save = () => run.save(step, loop, config.return_best ? { [BEST]: best } : {});
    const patience = config.early_stopping_epochs ?? Infinity;
    while (loop.history.length < config.epochs && loop.epochsSinceBest < patience) {
      await run.safePoint(step, save);
      const { epoch, index, rows } = await source.next();
      const allTerms = !(config.official_closed_loop_only_after_first_epoch && epoch > 0);
      const lr = learningRate(epoch, config.epochs, config.lr, { kind: config.schedule, warmupSteps: config.warmup_epochs, minLr: config.min_lr });
      const [x, y] = tf.tidy(() => {
        const picked = tf.tensor1d(rows, 'int32');
        return [tf.gather(xAll, picked), tf.gather(yAll, picked)];
      });
      model.train();
      const { loss, grads } = spacetimeGradients(model, x, y, config, allTerms);
      tf.dispose([x, y]);
      if (!Number.isFinite(loss)) {
        tf.dispose(Object.values(grads));
        const kept = run.dir ? `; the last good training checkpoint (${run.dir}) is kept` : '';
        throw new TrainingError(`non-finite loss ${loss} in epoch ${epoch + 1}, batch ${index + 1}${kept}`, step + 1, run.dir);
      }
      optimizer.apply(grads, lr);
      tf.dispose(Object.values(grads));
      step += 1;
      loop.epochLossSum += loss;
      options.onProgress?.({ stage: 'train', completed: step, total: config.epochs * batches, metrics: { loss, lr } });
      if (index < batches - 1) continue;
      model.eval();
      const validLoss = valid ? closedLoopLoss(model, valid, config) : undefined;
      const record: SpacetimeEpochRecord = { epoch, lr, trainLoss: loop.epochLossSum / batches, allTerms, ...(validLoss === undefined ? {} : { validLoss }) };
      loop.history.push(record);
      loop.epochLossSum = 0;
      if (validLoss !== undefined && (loop.best === undefined || validLoss < loop.best.validLoss)) {
        loop.best = { epoch, validLoss };
        loop.epochsSinceBest = 0;
        if (config.return_best) {
          tf.dispose(Object.values(best));
          best = model.stateDict();
        }
      } else {
        loop.epochsSinceBest += 1;
      }
      save();
      options.onEpoch?.(record);
    }
    if (config.return_best && loop.best) model.loadStateDict(best, { source: `the best epoch (${loop.best.epoch + 1})` });
    return { history: loop.history, ...(loop.best ? { bestEpoch: loop.best.epoch } : {}), stoppedEarly: loop.history.length < config.epochs };
  } finally {
    tf.dispose([xAll, yAll, ...Object.values(best)]);
    optimizer.dispose();
    model.eval();
  }
}

/** The closed-loop term alone (what the official validation reports) over a window set. */
export function closedLoopLoss(model: SpacetimeModel, windows: SequenceWindows, config: SpacetimeTrainConfig): number {
  const loss = tf.tidy(() => {
    const x = tf.tensor3d(windows.x, [windows.n, windows.lag, windows.channels]);
    const y = tf.tensor3d(windows.y, [windows.n, windows.horizon, windows.channels]);
    return spacetimeLoss(model, x, y, { criterion: config.loss, weights: config.criterion_weights, transform: config.data_transform, allTerms: false }).loss;
  });
  try {
    return loss.dataSync()[0] as number;
  } finally {
    loss.dispose();
  }
}
