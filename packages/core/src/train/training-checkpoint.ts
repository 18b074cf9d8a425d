import { z } from 'zod';
import { tf } from '../tf.js';
import { CheckpointError } from '../errors.js';
import { loadCheckpoint, saveCheckpoint } from '../io/checkpoint-dir.js';
import type { ModuleTrainingState, StateDict } from '../nn/module.js';
import { rngStateSchema, type RngState } from '../rng/rng.js';
import type { AdamWState } from './adamw.js';

/** What a training checkpoint holds besides the weights. */
export interface TrainingState {
  /** Optimizer steps completed. */
  readonly step: number;
  readonly rng: RngState;
  readonly source: unknown;
  readonly emaUpdates?: number;
  /** What the model changes while training besides its weights (Rng positions, counters): `Module.trainingState()`. */
  readonly model?: Readonly<Record<string, ModuleTrainingState>>;
}

export interface TrainingCheckpoint {
  readonly modelConfig: unknown;
  /** PyTorch-layout weights (model.safetensors). */
  readonly weights: StateDict;
  readonly optimizer: AdamWState;
  readonly ema?: StateDict;
  readonly state: TrainingState;
}

const stateSchema = z.object({
  step: z.number().int().nonnegative(),
  rng: rngStateSchema,
  source: z.unknown(),
  emaUpdates: z.number().int().nonnegative().optional(),
  model: z.record(z.string(), z.object({ rngs: z.record(z.string(), rngStateSchema).optional(), extra: z.unknown().optional() })).optional(),
  optimizerStep: z.number().int().nonnegative(),
});

const TRAINING_STATE = 'training_state';

/**
 * Writes a training checkpoint directory atomically (src/io saveCheckpoint): config.json (the model config),
 * model.safetensors, optimizer.safetensors (`m.<name>`, `v.<name>`), ema.safetensors when there is one, and
 * training_state.json (step, Rng state, batch-source position).
 */
export function saveTrainingCheckpoint(dir: string, checkpoint: TrainingCheckpoint): void {
  const optimizer: StateDict = {};
  for (const [name, t] of Object.entries(checkpoint.optimizer.m)) optimizer[`m.${name}`] = t;
  for (const [name, t] of Object.entries(checkpoint.optimizer.v)) optimizer[`v.${name}`] = t;
  saveCheckpoint(dir, {
    config: checkpoint.modelConfig ?? {},
    tensors: checkpoint.weights,
    tensorFiles: { optimizer, ...(checkpoint.ema ? { ema: checkpoint.ema } : {}) },
    jsonFiles: { [TRAINING_STATE]: { ...checkpoint.state, optimizerStep: checkpoint.optimizer.step } },
  });
}

/** Reads a checkpoint written by saveTrainingCheckpoint; the caller disposes the tensors. */
export function loadTrainingCheckpoint(dir: string, options: { ema: boolean }): TrainingCheckpoint {
  const contents = loadCheckpoint(dir, { tensorFiles: ['optimizer', ...(options.ema ? ['ema'] : [])], jsonFiles: [TRAINING_STATE] });
  const parsed = stateSchema.safeParse(contents.jsonFiles[TRAINING_STATE]);
  if (!parsed.success) {
    tf.dispose([...Object.values(contents.tensors), ...Object.values(contents.tensorFiles).flatMap((f) => Object.values(f))]);
    throw new CheckpointError(`${dir}/${TRAINING_STATE}.json`, `not a training state: ${parsed.error.issues[0]?.message ?? ''}`);
  }
  const m: StateDict = {};
  const v: StateDict = {};
  for (const [key, t] of Object.entries(contents.tensorFiles['optimizer'] ?? {})) {
    if (key.startsWith('m.')) m[key.slice(2)] = t;
    else if (key.startsWith('v.')) v[key.slice(2)] = t;
    else t.dispose();
  }
  const { optimizerStep, ...state } = parsed.data;
  return {
    modelConfig: contents.config,
    weights: contents.tensors,
    optimizer: { step: optimizerStep, m, v },
    ...(options.ema ? { ema: contents.tensorFiles['ema'] ?? {} } : {}),
    state: { ...state, rng: state.rng as RngState, ...(state.model ? { model: state.model as Record<string, ModuleTrainingState> } : {}) },
  };
}

export function disposeTrainingCheckpoint(checkpoint: TrainingCheckpoint): void {
  tf.dispose([
    ...Object.values(checkpoint.weights),
    ...Object.values(checkpoint.optimizer.m),
    ...Object.values(checkpoint.optimizer.v),
    ...Object.values(checkpoint.ema ?? {}),
  ]);
}
