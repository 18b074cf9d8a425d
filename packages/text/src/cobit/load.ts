import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CheckpointError,
  Rng,
  checkEntropyProfile,
  readHostWeights,
  readSafetensors,
  tf,
  withoutInit,
  type EntropyProfile,
  type StateDict,
} from '@nextx/core';
import { parseCobitConfig, type CobitConfig } from './config.js';
import { CobitNetwork } from './network/cobit-network.js';

export const ENTROPY_FILE = 'entropy.safetensors';

/** Reads a JSON file, naming it in the error. */
export function readJsonFile(file: string): unknown {
  if (!existsSync(file)) throw new CheckpointError(file, 'file not found');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    throw new CheckpointError(file, `not valid JSON: ${(error as Error).message}`, undefined, { cause: error });
  }
}

export interface LoadCobitWeightsOptions {
  /** Official (or nextx) weights, .safetensors or .pth, under the official state-dict names. */
  readonly weights: string;
  /** A config object or JSON file: a nextx config, the fixture's config.json, or a bare official cfg tree. */
  readonly config: unknown;
  /** The tokenizer's vocabulary size when the config does not hold it. */
  readonly vocabSize?: number;
}

/** Builds the network for a config and loads official weights into it (strict: every name and shape must match); eval mode. */
export function loadCobitWeights(options: LoadCobitWeightsOptions): CobitNetwork {
  const raw = typeof options.config === 'string' ? readJsonFile(options.config) : options.config;
  const config = parseCobitConfig(raw, { ...(options.vocabSize ? { vocabSize: options.vocabSize } : {}), what: typeof options.config === 'string' ? options.config : 'CoBit config' });
  if (!existsSync(options.weights)) throw new CheckpointError(options.weights, 'file not found');
  const weights = readHostWeights(options.weights);
  return buildLoaded(config, (net) => net.loadStateDict(weights, { source: options.weights }));
}

/** The network for a config with weights from `load` (which may throw: the network is then freed), in eval mode. */
export function buildLoaded(config: CobitConfig, load: (net: CobitNetwork) => void): CobitNetwork {
  const net = withoutInit(() => new CobitNetwork(config, Rng.seeded(0)));
  try {
    load(net);
  } catch (error) {
    net.dispose();
    throw error;
  }
  return net.eval();
}

/** The four profile tables as a safetensors state dict (names of the official files: pdf, cdf, sigmas, edges). */
export function profileTensors(profile: EntropyProfile): StateDict {
  return {
    pdf: tf.tensor1d(profile.pdf),
    cdf: tf.tensor1d(profile.cdf),
    sigmas: tf.tensor1d(profile.sigmas),
    edges: tf.tensor1d(profile.edges),
  };
}

/**
 * Reads a checkpoint's entropy profile. A missing one is an error that says how to make it: the entropic schedule and
 * the entropy-gated sampler need the profile the model was trained with, and there is no neutral default.
 */
export function readEntropyProfile(dir: string): EntropyProfile {
  const file = join(dir, ENTROPY_FILE);
  if (!existsSync(file)) {
    throw new CheckpointError(
      file,
      `the checkpoint has no entropy profile. CoBit's entropic schedule and entropy-gated sampler read it; compute it from the model and its data with \`nextx train text/cobit --checkpoint ${dir} --profile-only --data <files>\` (a pass that measures the denoising error at every noise level and writes ${ENTROPY_FILE}).`,
    );
  }
  const tensors = readSafetensors(file);
  try {
    const table = (name: string) => {
      const t = tensors[name];
      if (!t) throw new CheckpointError(file, `the entropy profile has no '${name}' table (it needs pdf, cdf, sigmas and edges)`);
      return Float32Array.from(t.dataSync());
    };
    const profile = { pdf: table('pdf'), cdf: table('cdf'), sigmas: table('sigmas'), edges: table('edges') };
    checkEntropyProfile(profile, file);
    return profile;
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
