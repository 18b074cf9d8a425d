import { describe, expect, it } from 'vitest';
import { CONTRACT_VERSION, Registry } from '@nextx/core';
import { plugin } from '../src/index.js';
import packageJson from '../package.json' with { type: 'json' };

describe('@nextx/medical plugin', () => {
  it('states its package, domain and contract version, and provides nothing yet: no names, commands or demo', () => {
    expect(plugin).toMatchObject({ name: '@nextx/medical', version: packageJson.version, domain: 'medical', contractVersion: CONTRACT_VERSION });
    const registry = new Registry().use(plugin);
    expect(registry.plugins()).toEqual([{ name: '@nextx/medical', version: packageJson.version, domain: 'medical', provides: [] }]);
    expect(plugin.commands).toBeUndefined();
    expect(plugin.demo).toBeUndefined();
  });
});
