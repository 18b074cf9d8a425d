import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@nextx/core';
import { loadVar, type LoadedVar } from '../../src/var/load.js';
import { generateVar } from '../../src/var/generate.js';
import { fixtureFile } from '../helpers/fixture.js';
import { useBackend } from '../helpers/backends.js';

describe('tensor ownership', () => {
  let model: LoadedVar;
  beforeAll(async () => {
    await useBackend('wasm');
    model = await loadVar({ vae: fixtureFile('vae.safetensors'), var: fixtureFile('var.safetensors'), config: fixtureFile('config.json') });
  });
  afterAll(() => model.dispose());

  it('100 successive generations (sampled, with previews, KV cache on and off) leave numTensors at its baseline', async () => {
    const baseline = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) {
      const stream = generateVar(model, { classes: [i % 10, 9 - (i % 10)], cfg: 1.5, topK: 20, topP: 0.9, preview: i % 10 === 0, kvCache: i % 2 === 0 }, { seed: i });
      for await (const chunk of stream) expect(chunk.value.tokens.length).toBeGreaterThan(0);
    }
    expect(tf.memory().numTensors).toBe(baseline);
  }, 120_000);

  it('building, loading and disposing a model leaves no tensor behind', async () => {
    const baseline = tf.memory().numTensors;
    const other = await loadVar({ vae: fixtureFile('vae.pth'), var: fixtureFile('var.pth'), config: fixtureFile('config.json') });
    other.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('an aborted generation frees its tensors too', async () => {
    const baseline = tf.memory().numTensors;
    const controller = new AbortController();
    const seen: number[] = [];
    await expect(async () => {
      for await (const chunk of generateVar(model, { classes: [1] }, { seed: 0, signal: controller.signal })) {
        seen.push(chunk.index);
        if (chunk.index === 1) controller.abort();
      }
    }).rejects.toThrow(/abort/i);
    expect(seen).toEqual([0, 1]);
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
