import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError, type CliContext, type PluginCommand } from '@nextx/core';
import { trainVideoModel } from '../train/train-video.js';
import type { TrainRecipeInput } from '../train/recipe.js';
import { intOption } from './options.js';

/** The recipe of the bundled checkpoint. */
export const DEMO_RECIPE = fileURLToPath(new URL('../../recipes/moving-fashion-mnist.json', import.meta.url));

function readRecipe(file: string): TrainRecipeInput {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read the recipe ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    return JSON.parse(text) as TrainRecipeInput;
  } catch (error) {
    throw new InputError(`${file} is not valid JSON (${(error as Error).message})`);
  }
}

export const trainVideoCommand: PluginCommand = {
  description: 'train the frame autoencoder, then the chunk transformer (teacher-forced and self-forced flow matching); resumes from --out',
  options: [
    { flags: '--recipe <file>', description: 'training recipe (JSON; default: the bundled checkpoint’s, recipes/moving-fashion-mnist.json)' },
    { flags: '--ae-steps <n>', description: 'override the autoencoder’s optimizer steps' },
    { flags: '--steps <n>', description: 'override the transformer’s optimizer steps' },
    { flags: '--batch <n>', description: 'override the transformer’s batch size' },
    { flags: '--sprites <kind>', description: 'override the data’s sprites: auto | fashion-mnist | shapes' },
  ],
  async run(options, context: CliContext) {
    const recipe = readRecipe(typeof options['recipe'] === 'string' ? options['recipe'] : DEMO_RECIPE);
    const aeSteps = intOption('--ae-steps', options['aeSteps'], 1);
    const steps = intOption('--steps', options['steps'], 1);
    const batch = intOption('--batch', options['batch'], 1);
    const sprites = options['sprites'];
    const merged: TrainRecipeInput = {
      ...recipe,
      ...(sprites === undefined ? {} : { data: { ...recipe.data, sprites: sprites as 'auto' } }),
      ...(aeSteps === undefined ? {} : { autoencoder: { ...recipe.autoencoder, steps: aeSteps } }),
      ...(steps === undefined && batch === undefined ? {} : { transformer: { ...recipe.transformer, ...(steps ? { steps } : {}), ...(batch ? { batch } : {}) } }),
    };
    const started = performance.now();
    const result = await trainVideoModel(merged, { out: context.out, onProgress: context.onProgress, signal: context.signal });
    context.log(`trained in ${((performance.now() - started) / 60000).toFixed(1)} min; model in ${result.checkpoint}`);
    return result;
  },
};
