import { describe, expect, it } from 'vitest';
import { CONTRACT_VERSION, Registry, type PluginCommand } from '@nextx/core';
import { plugin } from '../src/index.js';
import { VarGenerator } from '../src/var/var-generator.js';
import packageJson from '../package.json' with { type: 'json' };

/** Flags a plugin command may declare: commander's `--name`, `--name <value>` or `--no-name`. */
const FLAG = /^--(no-)?[a-z][a-z0-9-]*( <[a-z-]+>)?$/;

const flagsOf = (command: PluginCommand) => command.options.map((o) => o.flags.split(' ')[0]);

describe('@nextx/vision plugin', () => {
  it('states its package, domain and contract version, and registers vision/var as a fresh VarGenerator per resolve', () => {
    expect(plugin).toMatchObject({ name: '@nextx/vision', version: packageJson.version, domain: 'vision', contractVersion: CONTRACT_VERSION });
    const registry = new Registry().use(plugin);
    expect(registry.plugins()).toEqual([{ name: '@nextx/vision', version: packageJson.version, domain: 'vision', provides: ['vision/var'] }]);
    const generator = registry.resolve<VarGenerator>('vision/var');
    expect(generator).toBeInstanceOf(VarGenerator);
    expect(generator.name).toBe('vision/var');
    expect(registry.resolve('vision/var')).not.toBe(generator);
    expect(registry.providerOf('vision/var')).toBe(plugin);
  });

  it('offers generate, train and eval for vision/var with well-formed options, and a demo', () => {
    const commands = plugin.commands ?? {};
    expect(Object.keys(commands).sort()).toEqual(['eval', 'generate', 'train']);
    for (const [verb, byName] of Object.entries(commands)) {
      expect(Object.keys(byName ?? {}), verb).toEqual(['vision/var']);
      const command = byName!['vision/var']!;
      expect(command.description.length, verb).toBeGreaterThan(10);
      expect(typeof command.run, verb).toBe('function');
      for (const option of command.options) {
        expect(option.flags, verb).toMatch(FLAG);
        expect(option.description.length, `${verb} ${option.flags}`).toBeGreaterThan(5);
      }
      expect(new Set(flagsOf(command)).size, `${verb}: duplicate flags`).toBe(command.options.length);
    }
    expect(flagsOf(commands.generate!['vision/var']!)).toEqual(expect.arrayContaining(['--classes', '--cfg', '--top-k', '--top-p', '--seed']));
    expect(flagsOf(commands.train!['vision/var']!)).toEqual(expect.arrayContaining(['--data', '--vqvae-steps', '--var-steps']));
    expect(flagsOf(commands.eval!['vision/var']!)).toEqual(expect.arrayContaining(['--checkpoint', '--data', '--images']));
    expect(typeof plugin.demo).toBe('function');
  });
});
