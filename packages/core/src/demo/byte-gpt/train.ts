import { tf } from '../../tf.js';
import type { ProgressListener } from '../../contracts/events.js';
import { PrefetchingBatchSource } from '../../train/batch-source.js';
import { ByteWindowSampler, type ByteBatch } from '../../train/byte-window-sampler.js';
import { Trainer, type TrainResult } from '../../train/trainer.js';
import type { TrainerConfigInput } from '../../train/trainer-config.js';
import type { ByteGptConfigInput } from './config.js';
import { sparseCrossEntropy } from '../../losses/sparse-cross-entropy.js';
import { ByteGpt } from './model.js';

/** Mean next-byte cross-entropy of the model on one batch of windows. */
export function byteGptLoss(model: ByteGpt, batch: ByteBatch): tf.Scalar {
  return tf.tidy(() => {
    const inputs = tf.tensor2d(batch.inputs, [batch.batchSize, batch.seqLen], 'int32');
    return sparseCrossEntropy(model.forward(inputs), batch.targets) as tf.Scalar;
  });
}

export interface TrainByteGptOptions {
  readonly corpus: Uint8Array;
  readonly model?: ByteGptConfigInput;
  readonly trainer: TrainerConfigInput;
  readonly batchSize: number;
  /** Window length (default: the model's context length). */
  readonly seqLen?: number;
  readonly checkpointDir?: string;
  readonly metricsFile?: string;
  /** Continue from the checkpoint in checkpointDir when there is one. */
  readonly resume?: boolean;
  /** Stop (and save) after this many steps of the run. */
  readonly untilStep?: number;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

export interface TrainedByteGpt {
  /** The caller disposes the model and the trainer. */
  readonly model: ByteGpt;
  readonly trainer: Trainer<ByteBatch>;
  readonly result: TrainResult;
}

/** Trains a byte GPT on random windows of a corpus with the core Trainer. */
export async function trainByteGpt(options: TrainByteGptOptions): Promise<TrainedByteGpt> {
  const model = new ByteGpt(options.model ?? {});
  const seqLen = options.seqLen ?? model.config.contextLength;
  const sampler = new ByteWindowSampler(options.corpus, {
    batchSize: options.batchSize,
    seqLen,
    seed: (options.trainer.seed ?? 0) + 1,
  });
  const trainer = new Trainer<ByteBatch>({
    model,
    loss: (batch) => byteGptLoss(model, batch),
    source: new PrefetchingBatchSource(sampler),
    config: options.trainer,
    modelConfig: model.config,
    tokensPerBatch: (batch) => batch.batchSize * batch.seqLen,
    ...(options.checkpointDir ? { checkpointDir: options.checkpointDir } : {}),
    ...(options.metricsFile ? { metricsFile: options.metricsFile } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    if (options.resume) trainer.resumeIfPresent();
    const result = await trainer.run(options.untilStep === undefined ? {} : { untilStep: options.untilStep });
    return { model, trainer, result };
  } catch (error) {
    trainer.dispose();
    model.dispose();
    throw error;
  }
}
