import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, CheckpointError, ConfigError, ensureBackend, InputError, Rng, readHostWeights, saveCheckpoint, withoutInit, type HostStateDict } from '@nextx/core';
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
  await ensureBackend();
  const given = readConfigArg(options.config);
  // Host tensors: each moves into the backend only when its variable is assigned (see Module.loadStateDict).
  const vaeWeights = readWeightsChecked(options.vae);
  const varWeights = readWeightsChecked(options.var);
  checkWeightRoles(vaeWeights, varWeights, options.vae, options.var);
  const levels = varWeights.get('lvl_1L');
  const config = withConfigHint(given, () =>
    inferVarModelConfig(shapesOf(vaeWeights), shapesOf(varWeights), {
      given,
      ...(levels ? { levelCounts: levelCountsFromLevels(levels.values) } : {}),
    }),
  );
  return buildAndLoad(config, vaeWeights, varWeights, options.vae, options.var);
}

const holdsVqvae = (weights: HostStateDict) => weights.has('encoder.conv_in.weight') || weights.has('quantize.embedding.weight');
const holdsTransformer = (weights: HostStateDict) => weights.has('class_emb.weight') || weights.has('word_embed.weight');

/** Refuses a VQVAE file given as the transformer's and the reverse, before any tensor is built. */
function checkWeightRoles(vae: HostStateDict, vars: HostStateDict, vaeFile: string, varFile: string): void {
  const vaeIsTransformer = !holdsVqvae(vae) && holdsTransformer(vae);
  const varIsVqvae = !holdsTransformer(vars) && holdsVqvae(vars);
  if (vaeIsTransformer && varIsVqvae) {
    throw new InputError(`the VQVAE and VAR weights are swapped: ${vaeFile} (given as --vae) holds the VAR transformer, ${varFile} (given as --var) the VQVAE`);
  }
  if (vaeIsTransformer) throw new InputError(`${vaeFile} (given as --vae, the VQVAE) holds VAR transformer weights (class_emb, blocks.*); pass the VQVAE file`);
  if (varIsVqvae) throw new InputError(`${varFile} (given as --var, the transformer) holds VQVAE weights (encoder, quantize); pass the VAR transformer file`);
}

/**
 * Settings the weights do not store (num_groups, quant_resi, …) take the released defaults; when those do not fit,
 * the error says how to give them.
 */
function withConfigHint(given: unknown, infer: () => VarModelConfig): VarModelConfig {
  try {
    return infer();
  } catch (error) {
    if (!(error instanceof ConfigError) || given !== undefined) throw error;
    const issues = error.issues.map((issue) =>
      NOT_IN_WEIGHTS.includes(String(issue.path.at(-1)))
        ? { ...issue, message: `${issue.message} (not stored in the weights: pass the model's config with --config <file>, e.g. its config.json)` }
        : issue,
    );
    throw new ConfigError(error.what, issues);
  }
}

/** VQVAE settings the released defaults supply because a state dict does not determine them. */
const NOT_IN_WEIGHTS = ['num_groups', 'quant_resi', 'beta', 'v_patch_nums', 'patch_nums'];

/** Loads the official release from a folder holding vae_ch160v4096z32.pth and var_d{depth}.pth. */
export async function loadReleasedVar(dir: string, depth: number): Promise<LoadedVar> {
  if (!RELEASED_VAR_DEPTHS.includes(depth)) {
    throw new InputError(`released VAR depths are ${RELEASED_VAR_DEPTHS.join(', ')}; got ${depth}`);
  }
  return loadVar({ vae: join(dir, RELEASED_VAE_FILE), var: join(dir, releasedVarFile(depth)) });
}

/** Checkpoint folder written by `saveVarCheckpoint`: config.json, model.safetensors (VAR), vae.safetensors. */
export async function loadVarCheckpoint(dir: string): Promise<LoadedVar> {
  if (!existsSync(dir)) throw new CheckpointError(dir, 'checkpoint folder not found');
  if (!existsSync(join(dir, 'config.json'))) {
    const inner = join(dir, 'checkpoint');
    const hint = existsSync(join(inner, 'config.json')) ? `; a training run keeps its final model in ${inner}` : '';
    throw new CheckpointError(dir, `not a VAR checkpoint folder (config.json, model.safetensors, vae.safetensors): config.json is missing${hint}`);
  }
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

/** A config given as an object, or as the path of a JSON file (read and parsed; validated later). */
export function readConfigArg(config: unknown): unknown {
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

