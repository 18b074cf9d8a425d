import { existsSync } from 'node:fs';
import {
  tf,
  AbortError,
  ConfigError,
  disposeTrainingCheckpoint,
  loadTrainingCheckpoint,
  saveTrainingCheckpoint,
  type AdamWState,
  type EpochBatchSource,
  type Module,
  type StateDict,
} from '@nextx/core';

/** An optimizer whose moments and step can be saved and restored (core's AdamW, AR-Net's fastai Adam). */
export interface CheckpointableOptimizer {
  state(): AdamWState;
  loadState(state: AdamWState, source?: string): void;
}

/** Where a training run keeps its resumable state, and whether to continue from what is there. */
export interface TrainingCheckpointOptions {
  /** The training checkpoint directory: written at the end of every epoch, when interrupted, and at the end. */
  readonly dir: string;
  /**
   * Continue from the checkpoint in `dir` when there is one (it must come from the same configurations and data);
   * without one the run starts fresh. false: start fresh regardless (the old checkpoint is replaced after an epoch).
   */
  readonly resume?: boolean;
}

export interface ResumableTrainingOptions {
  readonly model: Module;
  readonly optimizer: CheckpointableOptimizer;
  readonly source: EpochBatchSource;
  /**
   * What the run is: the model and training configs and a fingerprint of the data (config.json). A resumed run must
   * be the same; the first difference is reported by its path.
   */
  readonly identity: unknown;
  readonly checkpoint?: TrainingCheckpointOptions;
  readonly signal?: AbortSignal;
}

/** A restored position: optimizer steps done and the loop's own state. */
export interface RestoredTraining<L> {
  readonly step: number;
  readonly loop: L;
  /** Weight sets saved beside the model (the caller disposes them). */
  readonly extra: Readonly<Record<string, StateDict>>;
}

/**
 * The resumable part of a training loop on core's training checkpoints (`saveTrainingCheckpoint`): model weights,
 * optimizer moments and step, the batch source's position (its Rng included), the loop's own JSON state and extra
 * weight sets, written atomically. `safePoint` is called between batches: it yields to the event loop (so Ctrl-C's
 * handler runs) and, once the signal has fired, saves the state there and stops with an AbortError naming the
 * checkpoint.
 */
export class ResumableTraining {
  constructor(private readonly options: ResumableTrainingOptions) {}

  get dir(): string | undefined {
    return this.options.checkpoint?.dir;
  }

  /** With `resume` and a checkpoint in `dir`: restores model, optimizer and source, and returns the loop state. */
  restore<L>(parseLoop: (value: unknown, file: string) => L, extraNames: readonly string[] = []): RestoredTraining<L> | undefined {
    const checkpoint = this.options.checkpoint;
    if (!checkpoint?.resume || !existsSync(checkpoint.dir)) return undefined;
    const saved = loadTrainingCheckpoint(checkpoint.dir, { ema: false, extra: extraNames });
    try {
      checkSameRun(this.options.identity, saved.modelConfig, checkpoint.dir);
      this.options.model.loadStateDict(saved.weights, { source: checkpoint.dir });
      this.options.optimizer.loadState(saved.optimizer, `${checkpoint.dir}/optimizer.safetensors`);
      this.options.source.restore(saved.state.source);
      const loop = parseLoop(saved.state.loop, `${checkpoint.dir}/training_state.json`);
      const extra = saved.extra ?? {};
      tf.dispose([...Object.values(saved.weights), ...Object.values(saved.optimizer.m), ...Object.values(saved.optimizer.v)]);
      return { step: saved.state.step, loop, extra };
    } catch (error) {
      disposeTrainingCheckpoint(saved);
      throw error;
    }
  }

  /** Saves the current state (a no-op without a checkpoint directory). */
  save(step: number, loop: unknown, extra: Readonly<Record<string, StateDict>> = {}): void {
    const dir = this.dir;
    if (!dir) return;
    const weights = this.options.model.stateDict();
    const optimizer = this.options.optimizer.state();
    const source = this.options.source.state();
    try {
      saveTrainingCheckpoint(dir, {
        modelConfig: this.options.identity,
        weights,
        optimizer,
        extra,
        state: { step, rng: source.rng, source, loop },
      });
    } finally {
      tf.dispose([...Object.values(weights), ...Object.values(optimizer.m), ...Object.values(optimizer.v)]);
    }
  }

  /** Between batches: lets signal handlers run; when interrupted, saves here (via `save`) and throws AbortError. */
  async safePoint(step: number, save: () => void): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (!this.options.signal?.aborted) return;
    save();
    const where = this.dir ? `; the training checkpoint ${this.dir} resumes it (--resume)` : '';
    throw new AbortError(`training interrupted after ${step} steps${where}`);
  }
}

/** ConfigError at the first path where a resumed run differs from the checkpoint's. */
function checkSameRun(identity: unknown, saved: unknown, dir: string): void {
  const expected: unknown = JSON.parse(JSON.stringify(identity ?? {}));
  const path = firstDifference(expected, saved);
  if (!path) return;
  const at = (value: unknown) => path.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[key] : undefined), value);
  throw new ConfigError(`run to resume from ${dir}`, [{ path, message: `the checkpoint was trained with ${JSON.stringify(at(saved)) ?? 'nothing'}`, received: at(expected) }]);
}

function firstDifference(a: unknown, b: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return path;
    for (let i = 0; i < a.length; i++) {
      const found = firstDifference(a[i], b[i], [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], [...path, key]);
      if (found) return found;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : path;
}

/** A short fingerprint of training data (FNV-1a over the bytes of each array, with its length): part of a run's identity. */
export function dataFingerprint(arrays: readonly ArrayBufferView[]): string {
  let hash = 0x811c9dc5;
  for (const array of arrays) {
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
    hash = Math.imul(hash ^ bytes.length, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
