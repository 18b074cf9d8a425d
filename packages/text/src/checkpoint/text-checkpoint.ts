import { join } from 'node:path';
import { CheckpointError, type EntropyProfile, type Module } from '@nextx/core';
import { parseArConfig } from '../ar/config.js';
import { ArModel } from '../ar/model.js';
import { parseBitlmConfig } from '../bitlm/config.js';
import { BitLm } from '../bitlm/model.js';
import { parseCobitConfig } from '../cobit/config.js';
import { buildLoaded, readEntropyProfile, readJsonFile } from '../cobit/load.js';
import type { CobitNetwork } from '../cobit/network/cobit-network.js';
import type { TextTokenizer } from '../tokenizers/text-tokenizer.js';
import { readHostWeights, withoutInit, Rng } from '@nextx/core';
import { loadCheckpointTokenizer, type TokenizerSpecJson } from './tokenizer-files.js';

export type LoadedTextModel =
  | { readonly kind: 'text/cobit'; readonly net: CobitNetwork; readonly profile: EntropyProfile; readonly tokenizer: TextTokenizer; readonly dir: string }
  | { readonly kind: 'text/ar'; readonly model: ArModel; readonly tokenizer: TextTokenizer; readonly dir: string }
  | { readonly kind: 'text/bitlm'; readonly model: BitLm; readonly tokenizer: TextTokenizer; readonly dir: string };

export function disposeLoaded(loaded: LoadedTextModel): void {
  (loaded.kind === 'text/cobit' ? loaded.net : loaded.model).dispose();
}

function loadWeightsInto<M extends Module>(build: () => M, file: string): M {
  const model = withoutInit(build);
  try {
    model.loadStateDict(readHostWeights(file), { source: file });
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model.eval();
}

/**
 * Loads a checkpoint folder a text model's training wrote (config.json, model.safetensors, the tokenizer, and for CoBit
 * its entropy profile — required: its absence is an error saying how to compute it). `expected` refuses another kind.
 */
export function loadTextCheckpoint(dir: string, expected?: LoadedTextModel['kind']): LoadedTextModel {
  const configFile = join(dir, 'config.json');
  const config = readJsonFile(configFile) as { model?: string; tokenizer?: TokenizerSpecJson };
  const kind = config.model;
  if (kind !== 'text/cobit' && kind !== 'text/ar' && kind !== 'text/bitlm') throw new CheckpointError(configFile, `'model' is ${JSON.stringify(kind)}; expected text/cobit, text/ar or text/bitlm`);
  if (expected && kind !== expected) throw new CheckpointError(configFile, `this is a ${kind} checkpoint; ${expected} was asked for`);
  const tokenizer = loadCheckpointTokenizer(dir, config.tokenizer ?? { kind: 'bytes' });
  const weights = join(dir, 'model.safetensors');
  if (kind === 'text/cobit') {
    const profile = readEntropyProfile(dir);
    const parsed = parseCobitConfig(config, { what: configFile });
    const net = buildLoaded(parsed, (n) => n.loadStateDict(readHostWeights(weights), { source: weights }));
    return { kind, net, profile, tokenizer, dir };
  }
  if (kind === 'text/ar') {
    const parsed = parseArConfig(config, configFile);
    return { kind, model: loadWeightsInto(() => new ArModel(parsed, Rng.seeded(0)), weights), tokenizer, dir };
  }
  const parsed = parseBitlmConfig(config, configFile);
  return { kind, model: loadWeightsInto(() => new BitLm(parsed, Rng.seeded(0)), weights), tokenizer, dir };
}
