import { loadCheckpoint, saveCheckpoint, tf } from '@nextx/core';
import { videoModelConfigSchema } from './config.js';
import { VideoModel } from './video-model.js';

/** Writes a model checkpoint directory atomically: config.json (the full model config) and model.safetensors. */
export function saveVideoModel(model: VideoModel, dir: string): void {
  const tensors = model.stateDict();
  try {
    saveCheckpoint(dir, { config: model.config, tensors });
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

/** Reads a checkpoint written by saveVideoModel: the config is validated before any weight is allocated. */
export function loadVideoModel(dir: string): VideoModel {
  const { config, tensors } = loadCheckpoint(dir, { configSchema: videoModelConfigSchema });
  const model = new VideoModel(config);
  try {
    model.loadStateDict(tensors, { source: dir });
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    tf.dispose(Object.values(tensors));
  }
  model.eval();
  return model;
}
