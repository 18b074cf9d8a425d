import { tf, AdamW, InputError, parseConfig, Rng, throwIfAborted, TrainingError, type ProgressListener } from '@nextx/core';
import { spacetimeTrainConfigSchema, type SpacetimeTrainConfig, type SpacetimeTrainConfigInput } from './config.js';
import { spacetimeLoss } from './loss.js';
import type { SpacetimeModel } from './model.js';
import { permutation } from '../data/permutation.js';
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
  readonly trainLoss: number;
  readonly validLoss?: number;
  /** Whether the open-loop terms were trained this epoch. */
  readonly allTerms: boolean;
}

export interface SpacetimeTrainOptions {
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
  readonly onEpoch?: (record: SpacetimeEpochRecord) => void;
}

/**
 * Trains SpaceTime as `main.py` does, minus its bug: AdamW (torch's, weight decay on every parameter) over shuffled
 * batches, all three loss terms every epoch, a closed-loop validation loss after each epoch. With
 * `official_closed_loop_only_after_first_epoch` the official behaviour is copied (only the first epoch trains the
 * open-loop terms). The official timm cosine scheduler is replaced by a constant learning rate.
 */
export async function trainSpacetime(
  model: SpacetimeModel,
  data: { train: SequenceWindows; valid?: SequenceWindows },
  trainConfig: SpacetimeTrainConfigInput,
  options: SpacetimeTrainOptions = {},
): Promise<SpacetimeEpochRecord[]> {
  const config = parseConfig(spacetimeTrainConfigSchema, trainConfig, 'SpaceTime training config');
  const { train } = data;
  if (train.lag !== model.lag || train.horizon !== model.horizon) {
    throw new InputError(`windows of ${train.lag} lags → ${train.horizon} steps do not fit a SpaceTime model of lag ${model.lag}, horizon ${model.horizon}`);
  }
  const batches = Math.ceil(train.n / config.batch_size);
  if (train.n < 1) throw new InputError('no training windows');
  const optimizer = new AdamW(model.namedParameters(), { beta1: config.betas[0], beta2: config.betas[1], eps: config.eps, weightDecay: config.weight_decay, decay: () => true });
  const rng = Rng.seeded(config.seed);
  const records: SpacetimeEpochRecord[] = [];
  const xAll = tf.tensor3d(train.x, [train.n, train.lag, train.channels]);
  const yAll = tf.tensor3d(train.y, [train.n, train.horizon, train.channels]);
  try {
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      const allTerms = !(config.official_closed_loop_only_after_first_epoch && epoch > 0);
      const order = permutation(train.n, rng);
      let sum = 0;
      for (let i = 0; i < batches; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        throwIfAborted(options.signal);
        const rows = order.subarray(i * config.batch_size, Math.min(train.n, (i + 1) * config.batch_size));
        const [x, y] = tf.tidy(() => {
          const index = tf.tensor1d(rows, 'int32');
          return [tf.gather(xAll, index), tf.gather(yAll, index)];
        });
        model.train();
        const { loss, grads } = spacetimeGradients(model, x, y, config, allTerms);
        tf.dispose([x, y]);
        if (!Number.isFinite(loss)) {
          tf.dispose(Object.values(grads));
          throw new TrainingError(`non-finite loss ${loss} in epoch ${epoch + 1}, batch ${i + 1}`, records.length);
        }
        optimizer.apply(grads, config.lr);
        tf.dispose(Object.values(grads));
        sum += loss;
        options.onProgress?.({ stage: 'train', completed: epoch * batches + i + 1, total: config.epochs * batches, metrics: { loss } });
      }
      model.eval();
      const validLoss = data.valid && data.valid.n > 0 ? closedLoopLoss(model, data.valid, config) : undefined;
      const record: SpacetimeEpochRecord = { epoch, trainLoss: sum / batches, allTerms, ...(validLoss === undefined ? {} : { validLoss }) };
      records.push(record);
      options.onEpoch?.(record);
    }
  } finally {
    tf.dispose([xAll, yAll]);
    optimizer.dispose();
    model.eval();
  }
  return records;
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
