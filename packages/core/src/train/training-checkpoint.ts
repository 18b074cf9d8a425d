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
  /**
   * The position of a training loop's own schedule and bookkeeping that the step count alone does not give (a
   * per-epoch validation history, a regulariser's ramp, the best epoch so far): JSON, read back as written.
   */
  readonly loop?: unknown;
  /** What the model changes while training besides its weights (Rng positions, counters): `Module.trainingState()`. */
  readonly model?: Readonly<Record<string, ModuleTrainingState>>;
}

export interface TrainingCheckpoint {
  readonly modelConfig: unknown;
  /** PyTorch-layout weights (model.safetensors). */
  readonly weights: StateDict;
  readonly optimizer: AdamWState;
  readonly ema?: StateDict;
  /** Further weight sets a loop keeps (e.g. the best validation epoch's), one safetensors file each (`<name>.safetensors`). */
  readonly extra?: Readonly<Record<string, StateDict>>;
  readonly state: TrainingState;
}

const stateSchema = z.object({
  step: z.number().int().nonnegative(),
  rng: rngStateSchema,
  source: z.unknown(),
  emaUpdates: z.number().int().nonnegative().optional(),
  loop: z.unknown().optional(),
  model: z.record(z.string(), z.object({ rngs: z.record(z.string(), rngStateSchema).optional(), extra: z.unknown().optional() })).optional(),
  optimizerStep: z.number().int().nonnegative(),
});

const TRAINING_STATE = 'training_state';
const RESERVED = ['model', 'optimizer', 'ema', 'config', TRAINING_STATE];

/**
 * Writes a training checkpoint directory atomically (src/io saveCheckpoint): config.json (the model config),
 * model.safetensors, optimizer.safetensors (`m.<name>`, `v.<name>`), ema.safetensors when there is one, one file per
 * `extra` weight set, and training_state.json (step, Rng state, batch-source position, the loop's own state).
 */
export function saveTrainingCheckpoint(dir: string, checkpoint: TrainingCheckpoint): void {
  const clash = Object.keys(checkpoint.extra ?? {}).find((name) => RESERVED.includes(name));
  if (clash) throw new CheckpointError(`${dir}/${clash}.safetensors`, `'${clash}' is a training checkpoint's own file; name the extra weight set otherwise`);
  const optimizer: StateDict = {};
  for (const [name, t] of Object.entries(checkpoint.optimizer.m)) optimizer[`m.${name}`] = t;
  for (const [name, t] of Object.entries(checkpoint.optimizer.v)) optimizer[`v.${name}`] = t;
  saveCheckpoint(dir, {
    config: checkpoint.modelConfig ?? {},
    tensors: checkpoint.weights,
    tensorFiles: { ...checkpoint.extra, optimizer, ...(checkpoint.ema ? { ema: checkpoint.ema } : {}) },
    jsonFiles: { [TRAINING_STATE]: { ...checkpoint.state, optimizerStep: checkpoint.optimizer.step } },
  });
}

/** Reads a checkpoint written by saveTrainingCheckpoint; the caller disposes the tensors. */
export function loadTrainingCheckpoint(dir: string, options: { ema: boolean; extra?: readonly string[] }): TrainingCheckpoint {
  const extraNames = options.extra ?? [];
  const contents = loadCheckpoint(dir, { tensorFiles: ['optimizer', ...(options.ema ? ['ema'] : []), ...extraNames], jsonFiles: [TRAINING_STATE] });
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
    ...(extraNames.length ? { extra: Object.fromEntries(extraNames.map((name) => [name, contents.tensorFiles[name] ?? {}])) } : {}),
    state: { ...state, rng: state.rng as RngState, ...(state.model ? { model: state.model as Record<string, ModuleTrainingState> } : {}) },
  };
}

export function disposeTrainingCheckpoint(checkpoint: TrainingCheckpoint): void {
  tf.dispose([
    ...Object.values(checkpoint.weights),
    ...Object.values(checkpoint.optimizer.m),
    ...Object.values(checkpoint.optimizer.v),
    ...Object.values(checkpoint.ema ?? {}),
    ...Object.values(checkpoint.extra ?? {}).flatMap((weights) => Object.values(weights)),
  ]);
}
