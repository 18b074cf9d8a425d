import { PrefetchingBatchSource, Trainer, type ByteBatch, type ProgressListener, type TrainerConfigInput, type TrainResult } from '@nextx/core';
import { EventWindowSampler } from './event-window-sampler.js';
import { createByteGen, type LoadedByteGen } from './checkpoint.js';
import type { ByteGenConfigInput } from './config.js';

export interface TrainByteGenOptions {
  /** Packed training events. */
  readonly stream: Uint8Array;
  readonly config?: ByteGenConfigInput;
  readonly trainer: TrainerConfigInput;
  readonly batchSize: number;
  readonly checkpointDir?: string;
  readonly metricsFile?: string;
  /** Continue from the checkpoint in checkpointDir when there is one. */
  readonly resume?: boolean;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

export interface TrainedByteGen extends LoadedByteGen {
  /** The caller disposes the model (model.module) and the trainer. */
  readonly trainer: Trainer<ByteBatch>;
  readonly result: TrainResult;
}

/**
 * Trains ByteGen (H-Net: next-byte cross-entropy + α·ratio loss; transformer: cross-entropy) on event-aligned windows
 * of a packed stream with core's Trainer: AdamW, schedule, clipping, atomic checkpoints that resume exactly, Ctrl-C
 * between steps.
 */
export async function trainByteGen(options: TrainByteGenOptions): Promise<TrainedByteGen> {
  const built = createByteGen(options.config);
  const { config, model } = built;
  const sampler = new EventWindowSampler(options.stream, options.batchSize, config.windowBytes, (options.trainer.seed ?? 0) + 1);
  const trainer = new Trainer<ByteBatch>({
    model: model.module,
    loss: (batch) => model.loss(batch.inputs, batch.targets, batch.batchSize, batch.seqLen).total,
    source: new PrefetchingBatchSource(sampler),
    config: options.trainer,
    modelConfig: config,
    tokensPerBatch: (batch) => batch.batchSize * batch.seqLen,
    ...(options.checkpointDir ? { checkpointDir: options.checkpointDir } : {}),
    ...(options.metricsFile ? { metricsFile: options.metricsFile } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    if (options.resume) trainer.resumeIfPresent();
    const result = await trainer.run();
    return { ...built, trainer, result };
  } catch (error) {
    trainer.dispose();
    model.module.dispose();
    throw error;
  }
}
