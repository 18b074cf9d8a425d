import { describe, expect, it } from 'vitest';
import { Registry } from '@nextx/core';
import { ByteGenGenerator, plugin } from '../src/index.js';
import packageJson from '../package.json' with { type: 'json' };

describe('@nextx/finance-bytes plugin', () => {
  it('reports the installed package version, registers finance-bytes/bytegen and its commands', () => {
    expect(plugin.version).toBe(packageJson.version);
    const registry = new Registry().use(plugin);
    expect(registry.plugins()).toEqual([{ name: '@nextx/finance-bytes', version: packageJson.version, domain: 'finance-bytes', provides: ['finance-bytes/bytegen'] }]);
    expect(registry.resolve('finance-bytes/bytegen')).toBeInstanceOf(ByteGenGenerator);
    expect(Object.keys(plugin.commands ?? {}).sort()).toEqual(['eval', 'generate', 'train']);
    expect(typeof plugin.demo).toBe('function');
  });
});
