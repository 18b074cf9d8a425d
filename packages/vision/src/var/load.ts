import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, CheckpointError, InputError, Rng, readHostWeights, saveCheckpoint, withoutInit, type HostStateDict } from '@nextx/core';
import {
  inferVarModelConfig,
  levelCountsFromLevels,
  type ShapeMap,
  type VarModelConfig,
} from './config.js';
import { initVarWeights, type VarInitOptions } from './transformer/init-weights.js';
import { VarTransformer } from './transformer/var-model.js';
import { VQVAE } from './vqvae/vqvae.js';

/** File names of the official release (github.com/FoundationVision/VAR, Hugging Face FoundationVision/var). */
export const RELEASED_VAE_FILE = 'vae_ch160v4096z32.pth';
export const RELEASED_VAR_DEPTHS: readonly number[] = [16, 20, 24, 30];
export const releasedVarFile = (depth: number): string => `var_d${depth}.pth`;

/** A VAR model ready for inference: the tokenizer, the transformer and the config both were built from. */
export interface LoadedVar {
  readonly config: VarModelConfig;
  readonly vqvae: VQVAE;
  readonly transformer: VarTransformer;
  dispose(): void;
}

export interface LoadVarOptions {
  /** VQVAE weights (.safetensors or .pth). */
  readonly vae: string;
  /** VAR transformer weights (.safetensors or .pth). */
  readonly var: string;
  /**
   * Config: an object or a JSON file path, in either accepted shape; may be partial. What the weights determine is
   * inferred (depth, width, heads, vocabulary, Cvae, classes, patch sizes); the rest takes the released defaults.
   */
  readonly config?: unknown;
}

/** Reads both weight files, infers the config, builds the models in eval mode and loads the weights. */
export async function loadVar(options: LoadVarOptions): Promise<LoadedVar> {
  const given = readConfigArg(options.config);
  // Host tensors: each moves into the backend only when its variable is assigned (see Module.loadStateDict).
  const vaeWeights = readWeightsChecked(options.vae);
  const varWeights = readWeightsChecked(options.var);
  const levels = varWeights.get('lvl_1L');
  const config = inferVarModelConfig(shapesOf(vaeWeights), shapesOf(varWeights), {
    given,
    ...(levels ? { levelCounts: levelCountsFromLevels(levels.values) } : {}),
  });
  return buildAndLoad(config, vaeWeights, varWeights, options.vae, options.var);
}

/** Loads the official release from a folder holding vae_ch160v4096z32.pth and var_d{depth}.pth. */
export async function loadReleasedVar(dir: string, depth: number): Promise<LoadedVar> {
  if (!RELEASED_VAR_DEPTHS.includes(depth)) {
    throw new InputError(`released VAR depths are ${RELEASED_VAR_DEPTHS.join(', ')}; got ${depth}`);
  }
  return loadVar({ vae: join(dir, RELEASED_VAE_FILE), var: join(dir, releasedVarFile(depth)) });
}

/** Checkpoint folder written by `saveVarCheckpoint`: config.json, model.safetensors (VAR), vae.safetensors. */
export async function loadVarCheckpoint(dir: string): Promise<LoadedVar> {
  return loadVar({ vae: join(dir, 'vae.safetensors'), var: join(dir, 'model.safetensors'), config: join(dir, 'config.json') });
}

/** Writes both models and their config as one atomic checkpoint directory. */
export function saveVarCheckpoint(dir: string, model: LoadedVar, options: { floatDtype?: 'F32' | 'F16' } = {}): void {
  const vae = model.vqvae.stateDict();
  const vars = model.transformer.stateDict();
  try {
    saveCheckpoint(dir, { config: model.config, tensors: vars, tensorFiles: { vae } }, options);
  } finally {
    tf.dispose([...Object.values(vae), ...Object.values(vars)]);
  }
}

/**
 * Fresh models for a config, initialised as the official `build_vae_var` does (training from scratch, benchmarks):
 * the VQVAE as its constructor leaves it, the transformer by its constructor and then `init_weights`
 * (`initVarWeights`). The same seed gives the same weights.
 */
export function buildVar(config: VarModelConfig, seed = 0, init: VarInitOptions = {}): LoadedVar {
  const rng = Rng.seeded(seed);
  const model = constructVar(config, rng);
  initVarWeights(model.transformer, rng.fork(), init);
  return model;
}

function constructVar(config: VarModelConfig, rng: Rng): LoadedVar {
  const vqvae = new VQVAE(config.vqvae, rng.fork());
  const transformer = new VarTransformer(config, rng.fork());
  return {
    config,
    vqvae,
    transformer,
    dispose() {
      vqvae.dispose();
      transformer.dispose();
    },
  };
}

function buildAndLoad(config: VarModelConfig, vae: HostStateDict, vars: HostStateDict, vaeFile: string, varFile: string): LoadedVar {
  const model = withoutInit(() => constructVar(config, Rng.seeded(0))); // every persistent entry is assigned below (strict load)
  try {
    model.vqvae.loadStateDict(vae, { source: vaeFile });
    model.transformer.loadStateDict(vars, { source: varFile });
  } catch (error) {
    model.dispose();
    throw error;
  }
  model.vqvae.eval();
  model.transformer.eval();
  return model;
}

function readWeightsChecked(file: string): HostStateDict {
  if (!existsSync(file)) throw new CheckpointError(file, 'file not found');
  return readHostWeights(file);
}

function readConfigArg(config: unknown): unknown {
  if (typeof config !== 'string') return config;
  if (!existsSync(config)) throw new CheckpointError(config, 'config file not found');
  try {
    return JSON.parse(readFileSync(config, 'utf8')) as unknown;
  } catch (error) {
    throw new CheckpointError(config, `not valid JSON: ${(error as Error).message}`, undefined, { cause: error });
  }
}

function shapesOf(weights: HostStateDict): ShapeMap {
  return Object.fromEntries([...weights].map(([name, t]) => [name, t.shape]));
}

