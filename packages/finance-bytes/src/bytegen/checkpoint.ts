import { loadCheckpoint, parseConfig, saveCheckpoint, tf } from '@nextx/core';
import { byteGenConfigSchema, type ByteGenConfig, type ByteGenConfigInput } from './config.js';
import { createByteModel, type ByteModel } from './byte-model.js';

export interface LoadedByteGen {
  readonly config: ByteGenConfig;
  readonly model: ByteModel;
}

/** Builds a fresh ByteGen model from a config (a bad config is a ConfigError naming the field). */
export function createByteGen(input: ByteGenConfigInput = {}): LoadedByteGen {
  const config = parseConfig(byteGenConfigSchema, input, 'ByteGen config');
  return { config, model: createByteModel(config) };
}

/** Loads a ByteGen checkpoint directory (config.json + model.safetensors; a training checkpoint works too). */
export function loadByteGen(dir: string): LoadedByteGen {
  const contents = loadCheckpoint(dir, { configSchema: byteGenConfigSchema });
  const built = { config: contents.config, model: createByteModel(contents.config) };
  try {
    built.model.module.loadStateDict(contents.tensors, { source: `${dir}/model.safetensors` });
  } catch (error) {
    built.model.module.dispose();
    throw error;
  } finally {
    tf.dispose(Object.values(contents.tensors));
  }
  return built;
}

/** Writes the weights and config only (no optimizer state): what a shipped checkpoint holds. Atomic. */
export function saveByteGen(dir: string, loaded: LoadedByteGen): void {
  const tensors = loaded.model.module.stateDict();
  try {
    saveCheckpoint(dir, { config: loaded.config, tensors });
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
