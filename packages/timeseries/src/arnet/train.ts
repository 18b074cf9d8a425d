import { z } from 'zod';
import { tf, CheckpointError, EpochBatchSource, InputError, oneCycleAt, parseConfig, TrainingError, type ProgressListener } from '@nextx/core';
import type { Windows } from '../data/windows.js';
import { dataFingerprint, ResumableTraining, type TrainingCheckpointOptions } from '../training/resumable-training.js';
import { lambdaMax, arnetTrainConfigSchema, type ArnetTrainConfig, type ArnetTrainConfigInput } from './config.js';
import { FastaiAdam } from './fastai-adam.js';
import { arnetLoss } from './loss.js';
import type { ArnetModel } from './model.js';
import { SparsityRamp, sparsityRegulariser } from './sparsity.js';

/** What one optimizer step used and measured (the official run's trace fields). */
export interface ArnetStepRecord {
  readonly step: number;
  readonly epoch: number;
  readonly iter: number;
  /** fastai's `pct_train` when the schedule was applied (fraction of batches done). */
  readonly pctTrain: number;
  readonly lr: number;
  readonly mom: number;
  readonly lam: number;
  /** The loss function alone, and with λ·R(W) added (what is back-propagated). */
  readonly loss: number;
  readonly lossTotal: number;
}

export interface ArnetTrainOptions {
  /** Noise estimate that scales λ (from the training series); required when the config asks for it. */
  readonly estNoise?: number;
  /** Reproduce SparsifyAR's stateful early return (a training-loop bug, see `SparsityRamp`). */
  readonly officialRegulariserEarlyReturn?: boolean;
  /** Called after each step's gradients are computed, before the update (they are disposed after). */
  readonly onGradients?: (record: ArnetStepRecord, grads: Readonly<Record<string, tf.Tensor>>) => void;
  /** Called after each update. */
  readonly onStep?: (record: ArnetStepRecord) => void;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
  /** A training checkpoint, written after every epoch, when interrupted and at the end; `resume` continues from it. */
  readonly checkpoint?: TrainingCheckpointOptions;
}

export interface ArnetTrainResult {
  readonly history: readonly ArnetStepRecord[];
  /** Loss of the validation rows after each epoch (when any were given). */
  readonly validLoss: readonly number[];
  readonly lamMax: number;
}

const recordSchema = z.object({
  step: z.number(),
  epoch: z.number(),
  iter: z.number(),
  pctTrain: z.number(),
  lr: z.number(),
  mom: z.number(),
  lam: z.number(),
  loss: z.number(),
  lossTotal: z.number(),
});

/** What an AR-Net training checkpoint keeps besides weights, optimizer and batch position. */
const loopSchema = z.object({
  /** fastai's pct_train for the next batch (accumulated in float64 as fastai does, so saved, not recomputed). */
  pctTrain: z.number(),
  /** The ramp's remembered λ (it matters for the official early return). */
  lam: z.number().optional(),
  history: z.array(recordSchema),
  validLoss: z.array(z.number()),
});

function parseLoop(value: unknown, file: string): z.infer<typeof loopSchema> {
  const parsed = loopSchema.safeParse(value);
  if (!parsed.success) throw new CheckpointError(file, `not an AR-Net training state: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/**
 * AR-Net's training (`ARNet.fit_one_cycle` → fastai `fit_one_cycle` with the `SparsifyAR` callback): one cycle of
 * n_epoch epochs over batches of train_bs rows (shuffled by the Rng when `shuffle`, the last partial batch dropped),
 * per batch: schedule (lr, mom) at pct_train, loss + λ·R(first Linear's weight), backward (the regulariser is in
 * the gradient, as in the fastai releases AR-Net was written against), fastai Adam step; a validation pass after each
 * epoch. Stops between batches when the signal fires (saving a checkpoint there when given one); a resumed run
 * continues to exactly the weights, optimizer state, schedule and λ of an uninterrupted one.
 */
export async function trainArnet(
  model: ArnetModel,
  data: { train: Windows; valid?: Windows },
  trainConfig: ArnetTrainConfigInput,
  options: ArnetTrainOptions = {},
): Promise<ArnetTrainResult> {
  const config: ArnetTrainConfig = parseConfig(arnetTrainConfigSchema, trainConfig, 'AR-Net training config');
  const { train } = data;
  checkShapes(model, train);
  const nIter = config.drop_last ? Math.floor(train.n / config.train_bs) : Math.ceil(train.n / config.train_bs);
  if (nIter < 1) throw new InputError(`${train.n} training windows make no batch of train_bs ${config.train_bs} (drop_last)`);
  const arnet = model.config;
  const estNoise = arnet.est_noise ?? options.estNoise;
  if (arnet.sparsity !== null && arnet.use_reg_noise && estNoise === undefined) {
    throw new InputError('use_reg_noise needs est_noise (in the config or measured from the training series)');
  }
  const lamMax = lambdaMax(arnet, estNoise ?? 1);
  const ramp = new SparsityRamp(lamMax, arnet.start_reg_pct, arnet.full_reg_pct, options.officialRegulariserEarlyReturn ?? false);
  const schedule = oneCycleAt({ lrMax: config.lr, div: config.div, divFinal: config.div_final, pctStart: config.pct_start, moms: config.moms });
  const optimizer = new FastaiAdam(model.namedParameters(), { sqrMom: config.sqr_mom, eps: config.eps, wd: config.wd });
  const source = new EpochBatchSource({ rows: train.n, batchSize: config.train_bs, shuffle: config.shuffle, dropLast: config.drop_last, seed: config.seed });
  const valid = data.valid && data.valid.n > 0 ? data.valid : undefined;
  const run = new ResumableTraining({
    model,
    optimizer,
    source,
    identity: { model: arnet, train: config, lamMax, data: dataFingerprint([train.x, train.y, ...(valid ? [valid.x, valid.y] : [])]) },
    ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const total = nIter * config.n_epoch;
  const xAll = tf.tensor2d(train.x, [train.n, train.lag]);
  const yAll = tf.tensor2d(train.y, [train.n, train.horizon]);
  try {
    const restored = run.restore(parseLoop);
    const history: ArnetStepRecord[] = restored?.loop.history ?? [];
    const validLoss: number[] = restored?.loop.validLoss ?? [];
    let pctTrain = restored?.loop.pctTrain ?? 0;
    ramp.restore(restored?.loop.lam);
    const save = () => run.save(history.length, { pctTrain, lam: ramp.state(), history, validLoss });
    while (history.length < total) {
      await run.safePoint(history.length, save);
      const { epoch, index: iter, rows } = await source.next();
      if (iter === 0) pctTrain = epoch / config.n_epoch;
      const { lr, momentum: mom } = schedule(pctTrain);
      const lam = ramp.next({ epoch, iter, nEpoch: config.n_epoch, nIter });
      const [x, y] = tf.tidy(() => {
        const index = tf.tensor1d(rows, 'int32');
        return [tf.gather(xAll, index), tf.gather(yAll, index)];
      });
      const { loss, lossTotal, grads } = arnetGradients(model, x, y, lam);
      tf.dispose([x, y]);
      const record: ArnetStepRecord = { step: history.length, epoch, iter, pctTrain, lr, mom, lam, loss, lossTotal };
      if (!Number.isFinite(lossTotal)) {
        tf.dispose(Object.values(grads));
        const kept = run.dir ? `; the last good training checkpoint (${run.dir}) is kept` : '';
        throw new TrainingError(`non-finite loss ${lossTotal} at step ${record.step + 1}${kept}`, record.step + 1, run.dir);
      }
      options.onGradients?.(record, grads);
      optimizer.apply(grads, lr, mom);
      tf.dispose(Object.values(grads));
      pctTrain += 1 / total;
      history.push(record);
      options.onStep?.(record);
      options.onProgress?.({ stage: 'train', completed: history.length, total, metrics: { loss: lossTotal, lr, lam } });
      if (iter === nIter - 1) {
        if (valid) validLoss.push(evaluateLoss(model, valid));
        save();
      }
    }
    return { history, validLoss, lamMax };
  } finally {
    tf.dispose([xAll, yAll]);
    optimizer.dispose();
  }
}

/**
 * Gradients of loss + λ·R(W) (W the first Linear's weight; λ = 0 leaves the regulariser out) by parameter name, and
 * both loss values (read back to the host).
 */
export function arnetGradients(model: ArnetModel, x: tf.Tensor, y: tf.Tensor, lam: number): { loss: number; lossTotal: number; grads: Record<string, tf.Tensor> } {
  const parameters = model.namedParameters();
  const { config } = model;
  const { losses, grads } = tf.tidy(() => {
    let main: tf.Scalar | undefined;
    const { value, grads: g } = tf.variableGrads(() => {
      main = tf.keep(arnetLoss(config.loss_func, model.forward(x), y));
      return lam === 0 ? main : tf.add(main, tf.mul(sparsityRegulariser(model.inputWeight, config.reg_c1, config.reg_c2), lam));
    }, parameters.map(([, p]) => p));
    const byName: Record<string, tf.Tensor> = {};
    for (const [name, p] of parameters) byName[name] = g[p.name] as tf.Tensor;
    const stacked = tf.stack([main as tf.Scalar, value]);
    main?.dispose();
    return { losses: stacked, grads: byName };
  });
  const [loss, lossTotal] = Array.from(losses.dataSync()) as [number, number];
  losses.dispose();
  return { loss, lossTotal, grads };
}

/** The config's loss over a window set (no regulariser). */
export function evaluateLoss(model: ArnetModel, windows: Windows): number {
  const loss = tf.tidy(() =>
    arnetLoss(model.config.loss_func, model.forward(tf.tensor2d(windows.x, [windows.n, windows.lag])), tf.tensor2d(windows.y, [windows.n, windows.horizon])),
  );
  try {
    return loss.dataSync()[0] as number;
  } finally {
    loss.dispose();
  }
}

function checkShapes(model: ArnetModel, w: Windows): void {
  const { ar_order, n_forecasts } = model.config;
  if (w.lag !== ar_order || w.horizon !== n_forecasts) {
    throw new InputError(`windows of ${w.lag} lags → ${w.horizon} targets do not fit an AR-Net of ar_order ${ar_order}, n_forecasts ${n_forecasts}`);
  }
}
