import { describe, expect, it } from 'vitest';
import { Registry } from '@nextx/core';
import { plugin } from '../src/index.js';
import { ArGenerator, BitlmGenerator, CobitGenerator } from '../src/generators.js';
import packageJson from '../package.json' with { type: 'json' };

describe('@nextx/text plugin', () => {
  it('reports the installed version, registers its three models, their train/generate/eval commands and a demo', () => {
    expect(plugin.version).toBe(packageJson.version);
    const registry = new Registry().use(plugin);
    expect(registry.plugins().map((p) => p.name)).toEqual(['@nextx/text']);
    expect(registry.resolve('text/cobit')).toBeInstanceOf(CobitGenerator);
    expect(registry.resolve('text/ar')).toBeInstanceOf(ArGenerator);
    expect(registry.resolve('text/bitlm')).toBeInstanceOf(BitlmGenerator);
    for (const verb of ['train', 'generate', 'eval'] as const) expect(Object.keys(plugin.commands?.[verb] ?? {}).sort()).toEqual(['text/ar', 'text/bitlm', 'text/cobit']);
    const flags = plugin.commands?.generate?.['text/cobit']?.options.map((o) => o.flags.split(' ')[0]);
    expect(flags).toEqual(expect.arrayContaining(['--checkpoint', '--length', '--steps', '--seed', '--sampler', '--gamma', '--q-lo', '--q-hi', '--self-condition', '--ati', '--schedule']));
    expect(typeof plugin.demo).toBe('function');
  });
});
