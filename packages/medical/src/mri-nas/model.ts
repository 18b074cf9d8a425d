import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, CheckpointError, loadCheckpoint, parseConfig, saveCheckpoint, Rng, type StateDict } from '@nextx/core';
import { AccelerationTokenizer } from '../tokenizer/acceleration-tokenizer.js';
import { mriNasConfigSchema, parseMriNasConfig, type MriNasConfig, type MriNasConfigInput } from './config.js';
import { MriNasTransformer } from './transformer.js';

/** The two networks of medical/mri-nas. A checkpoint directory holds config.json and model.safetensors ('tokenizer.*', 'transformer.*'). */
export class MriNasModel {
  readonly config: MriNasConfig;
  readonly tokenizer: AccelerationTokenizer;
  readonly transformer: MriNasTransformer;

  constructor(config: MriNasConfigInput | MriNasConfig, seed = 0) {
    this.config = parseMriNasConfig(config);
    const rng = Rng.seeded(seed);
    this.tokenizer = new AccelerationTokenizer(this.config, rng.fork());
    this.transformer = new MriNasTransformer(this.config, rng.fork());
  }

  numParameters(): { tokenizer: number; transformer: number } {
    return { tokenizer: this.tokenizer.numParameters(), transformer: this.transformer.numParameters() };
  }

  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [name, t] of Object.entries(this.tokenizer.stateDict())) out[`tokenizer.${name}`] = t;
    for (const [name, t] of Object.entries(this.transformer.stateDict())) out[`transformer.${name}`] = t;
    return out;
  }

  /** Writes the checkpoint atomically (float16 weights unless `float32`). */
  save(dir: string, options: { float32?: boolean; metadata?: Record<string, unknown> } = {}): void {
    const tensors = this.stateDict();
    try {
      saveCheckpoint(dir, { config: { ...this.config, ...(options.metadata ? { trained: options.metadata } : {}) }, tensors }, { floatDtype: options.float32 ? 'F32' : 'F16' });
    } finally {
      tf.dispose(Object.values(tensors));
    }
  }

  /** Reads a checkpoint directory: its config is validated first, then every tensor is checked against the model. */
  static load(dir: string): MriNasModel {
    const config = readCheckpointConfig(dir);
    const checkpoint = loadCheckpoint(dir);
    const model = new MriNasModel(config);
    try {
      const pick = (prefix: string) =>
        Object.fromEntries(Object.entries(checkpoint.tensors).filter(([k]) => k.startsWith(prefix)).map(([k, t]) => [k.slice(prefix.length), t]));
      model.tokenizer.loadStateDict(pick('tokenizer.'), { source: join(dir, 'model.safetensors') });
      model.transformer.loadStateDict(pick('transformer.'), { source: join(dir, 'model.safetensors') });
    } catch (error) {
      model.dispose();
      throw error instanceof CheckpointError ? error : new CheckpointError(dir, (error as Error).message, undefined, { cause: error });
    } finally {
      tf.dispose(Object.values(checkpoint.tensors));
    }
    model.tokenizer.eval();
    model.transformer.eval();
    return model;
  }

  dispose(): void {
    this.tokenizer.dispose();
    this.transformer.dispose();
  }
}

/** config.json of a checkpoint, validated (a ConfigError names the file and field) before any weights are read. */
export function readCheckpointConfig(dir: string): MriNasConfig {
  const file = join(dir, 'config.json');
  if (!existsSync(file)) throw new CheckpointError(dir, 'not a medical/mri-nas checkpoint: config.json is missing');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CheckpointError(file, `not valid JSON (${(error as Error).message})`, undefined, { cause: error });
  }
  const { trained: _trained, ...config } = (raw ?? {}) as Record<string, unknown>;
  return parseConfig(mriNasConfigSchema, config, file);
}
