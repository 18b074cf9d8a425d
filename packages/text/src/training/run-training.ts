import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Trainer, type BatchSource, type CheckpointExtras, type Module, type ProgressListener, type TrainResult, type TrainerConfigInput, type tf } from '@nextx/core';
import { tokenizerFiles } from '../checkpoint/tokenizer-files.js';
import type { TextTokenizer } from '../tokenizers/text-tokenizer.js';

export interface TrainingRunOptions {
  readonly trainer: TrainerConfigInput;
  readonly checkpointDir: string;
  /** Continue from the checkpoint in checkpointDir when there is one (default true). */
  readonly resume?: boolean;
  /** Wall-clock budget: training stops (with a checkpoint) at the first step boundary after this many minutes. */
  readonly minutes?: number;
  readonly metricsFile?: string;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

export interface TrainingRun<B> {
  readonly model: Module;
  readonly source: BatchSource<B>;
  readonly tokenizer: TextTokenizer;
  /** config.json of the checkpoint (model kind, sizes, tokenizer). */
  readonly modelConfig: unknown;
  loss(batch: B): tf.Scalar;
  readonly tokensPerBatch: (batch: B) => number;
  /** Files beside the weights (the tokenizer is added here). */
  extras?(): CheckpointExtras;
  /** After every step, before progress is reported (the step count). */
  afterStep?(step: number): Readonly<Record<string, number>> | void;
  /** After a resume, with the checkpoint directory (read back the extras). */
  onResume?(dir: string): void;
  /** Before the final checkpoint. */
  beforeFinalSave?(): void;
}

/** Whether `dir` holds a training checkpoint to resume from. */
export const hasTrainingState = (dir: string): boolean => existsSync(join(dir, 'training_state.json'));

/**
 * Runs core's Trainer for a text model: checkpoints hold the weights, config.json, the tokenizer and the model's extra
 * files in one atomic save; a run resumes where the last checkpoint stopped; a minutes budget ends it at a step
 * boundary with a checkpoint. Ctrl-C (the signal) stops between steps, leaving the last checkpoint as it was.
 */
export async function runTraining<B>(run: TrainingRun<B>, options: TrainingRunOptions): Promise<TrainResult & { stoppedByBudget: boolean }> {
  const trainer: Trainer<B> = new Trainer<B>({
    model: run.model,
    source: run.source,
    config: options.trainer,
    checkpointDir: options.checkpointDir,
    modelConfig: run.modelConfig,
    loss: (batch) => run.loss(batch),
    tokensPerBatch: run.tokensPerBatch,
    ...(options.metricsFile ? { metricsFile: options.metricsFile } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    checkpointExtras: () => {
      const extras = run.extras?.() ?? {};
      return { ...extras, jsonFiles: { ...extras.jsonFiles, ...tokenizerFiles(run.tokenizer) } };
    },
    onProgress: (event) => {
      const extra = run.afterStep?.(event.completed) ?? {};
      options.onProgress?.({ ...event, metrics: { ...event.metrics, ...extra } });
    },
  });
  try {
    if ((options.resume ?? true) && hasTrainingState(options.checkpointDir)) {
      trainer.resume();
      run.onResume?.(options.checkpointDir);
    }
    const deadline = options.minutes === undefined ? Infinity : performance.now() + options.minutes * 60_000;
    let stoppedByBudget = false;
    const { history } = await trainer.run({
      stopWhen: () => {
        stoppedByBudget = performance.now() > deadline && trainer.step < trainer.config.steps;
        return stoppedByBudget;
      },
    });
    run.beforeFinalSave?.();
    const checkpoint = trainer.saveCheckpoint();
    return { step: trainer.step, history, checkpoint, stoppedByBudget };
  } finally {
    trainer.dispose();
  }
}
