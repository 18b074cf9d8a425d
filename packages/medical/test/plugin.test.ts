import { describe, expect, it } from 'vitest';
import { Registry } from '@nextx/core';
import { plugin } from '../src/index.js';
import packageJson from '../package.json' with { type: 'json' };

describe('@nextx/medical plugin', () => {
  it('reports the installed package version and registers into a registry', () => {
    expect(plugin.version).toBe(packageJson.version);
    const registry = new Registry().use(plugin);
    expect(registry.plugins().map((p) => p.name)).toEqual(['@nextx/medical']);
  });
});
