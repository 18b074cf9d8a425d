import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '@nextx/core';
import { videoModelConfigSchema } from '../src/model/config.js';
import { trainRecipeSchema } from '../src/train/recipe.js';
import { recipeModelConfig } from '../src/train/train-video.js';

const RECIPES = join(import.meta.dirname, '..', 'recipes');

describe('the recipes this package ships', () => {
  const files = readdirSync(RECIPES).filter((f) => f.endsWith('.json'));

  it('include the bundled checkpoint’s', () => {
    expect(files).toContain('moving-fashion-mnist.json');
  });

  it.each(files)('%s is a valid recipe of a valid model, with every field it sets known to the schema', (file) => {
    const raw = JSON.parse(readFileSync(join(RECIPES, file), 'utf8')) as unknown;
    // strict() schemas: a misspelt field is an error, not a silently ignored default.
    const recipe = trainRecipeSchema.parse(raw);
    expect(() => videoModelConfigSchema.parse(recipeModelConfig(recipe))).not.toThrow();
  });

  it('the bundled recipe describes the bundled checkpoint’s model', () => {
    const recipe = trainRecipeSchema.parse(JSON.parse(readFileSync(join(RECIPES, 'moving-fashion-mnist.json'), 'utf8')));
    const bundled = JSON.parse(readFileSync(join(RECIPES, '..', 'assets', 'moving-fashion-mnist', 'config.json'), 'utf8')) as Record<string, unknown>;
    const expected = videoModelConfigSchema.parse(recipeModelConfig(recipe));
    for (const field of ['patch', 'framesPerChunk', 'dim', 'depth', 'heads', 'conditioningFrames', 'conditioningKernel', 'prediction', 'data', 'autoencoder'] as const) {
      expect(bundled[field], field).toEqual(expected[field]);
    }
  });
});

describe('training recipe checks', () => {
  it('refuses rolled-out chunks without any loss, naming the field', () => {
    expect(() => parseConfig(trainRecipeSchema, { selfForcing: { targetWeight: 0 } }, 'training recipe')).toThrow(/selfForcing\.targetWeight.*adversarial\.weight/s);
    expect(() => parseConfig(trainRecipeSchema, { selfForcing: { targetWeight: 0 }, adversarial: { weight: 1 } }, 'training recipe')).not.toThrow();
    expect(() => parseConfig(trainRecipeSchema, { selfForcing: { targetWeight: 0.5 } }, 'training recipe')).not.toThrow();
  });

  it('refuses unrolling a multi-step sampler, naming the field', () => {
    expect(() => parseConfig(trainRecipeSchema, { selfForcing: { unroll: 0.5 }, sampling: { steps: 4 } }, 'training recipe')).toThrow(/selfForcing\.unroll.*sampling\.steps to 1 \(it is 4\)/s);
    expect(() => parseConfig(trainRecipeSchema, { selfForcing: { unroll: 0.5 }, sampling: { steps: 1 } }, 'training recipe')).not.toThrow();
    expect(() => parseConfig(trainRecipeSchema, { selfForcing: { unroll: 1.5 }, sampling: { steps: 1 } }, 'training recipe')).toThrow(/selfForcing\.unroll/);
  });
});
