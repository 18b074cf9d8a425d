import { describe, expect, it } from 'vitest';
import { Registry, tf } from '@nextx/core';
import { plugin } from '../src/index.js';
import type { ArnetGenerator, SpacetimeGenerator } from '../src/forecast/forecast-generator.js';
import { DEMO_CHECKPOINTS } from '../src/demo.js';
import packageJson from '../package.json' with { type: 'json' };
import { useBackend } from './helpers/backends.js';

describe('@nextx/timeseries plugin', () => {
  it('reports the installed package version and registers both models, with CLI verbs', () => {
    expect(plugin.version).toBe(packageJson.version);
    const registry = new Registry().use(plugin);
    expect(registry.plugins()).toMatchObject([{ name: '@nextx/timeseries', version: packageJson.version, provides: ['timeseries/arnet', 'timeseries/spacetime'] }]);
    for (const verb of ['generate', 'train', 'eval'] as const) expect(Object.keys(plugin.commands?.[verb] ?? {})).toEqual(['timeseries/arnet', 'timeseries/spacetime']);
  });

  it('resolves generators that init from a config, load a checkpoint and stream a forecast', async () => {
    await useBackend('wasm');
    const registry = new Registry().use(plugin);
    const arnet = registry.resolve<ArnetGenerator>('timeseries/arnet');
    await arnet.init({ ar_order: 3, n_forecasts: 2 }, { seed: 1 });
    expect(() => arnet.generate({ horizon: 5, context: [[1, 2, 3, 4]] }, { sampler: { name: 'categorical' } })).toThrow(/takes no GenerateOptions.sampler/);
    const loss = tf.tidy(() => arnet.loss({ x: tf.ones([4, 3]), y: tf.zeros([4, 2]) }).dataSync()[0]);
    expect(Number.isFinite(loss)).toBe(true);
    const chunks = [];
    for await (const chunk of arnet.generate({ horizon: 5, samples: 120, context: [[1, 2, 3, 4]] }, { seed: 2 })) chunks.push(chunk);
    expect(chunks.map((c) => [c.index, c.final, c.value.paths[0]?.length])).toEqual([
      [0, false, 50],
      [1, false, 50],
      [2, true, 20],
    ]);
    expect(chunks.at(-1)?.value.summary?.[0]?.median.length).toBe(5);
    arnet.dispose();
    const spacetime = registry.resolve<SpacetimeGenerator>('timeseries/spacetime');
    await spacetime.load(DEMO_CHECKPOINTS.spacetime);
    await expect(arnet.load(DEMO_CHECKPOINTS.spacetime)).rejects.toThrow('holds a timeseries/spacetime checkpoint, not timeseries/arnet');
    let last;
    for await (const chunk of spacetime.generate({ horizon: 12, samples: 10 }, { seed: 0 })) last = chunk;
    expect(last?.value.point?.[0]?.length).toBe(12);
    spacetime.dispose();
  });
});
