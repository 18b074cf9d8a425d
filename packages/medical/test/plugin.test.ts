import { describe, expect, it } from 'vitest';
import { CONTRACT_VERSION, Registry, type PluginCommand } from '@nextx/core';
import { plugin } from '../src/index.js';
import { MriNasGenerator } from '../src/mri-nas/mri-nas-generator.js';
import packageJson from '../package.json' with { type: 'json' };

/** Flags a plugin command may declare: commander's `--name`, `--name <value>` or `--no-name`. */
const FLAG = /^--(no-)?[a-z][a-z0-9-]*( <[a-zA-Z-]+>)?$/;

const flagsOf = (command: PluginCommand) => command.options.map((o) => o.flags.split(' ')[0]);

describe('@nextx/medical plugin', () => {
  it('states its package, domain and contract version, and registers medical/mri-nas as a fresh MriNasGenerator per resolve', () => {
    expect(plugin).toMatchObject({ name: '@nextx/medical', version: packageJson.version, domain: 'medical', contractVersion: CONTRACT_VERSION });
    const registry = new Registry().use(plugin);
    expect(registry.plugins()).toEqual([{ name: '@nextx/medical', version: packageJson.version, domain: 'medical', provides: ['medical/mri-nas'] }]);
    const generator = registry.resolve<MriNasGenerator>('medical/mri-nas');
    expect(generator).toBeInstanceOf(MriNasGenerator);
    expect(generator.name).toBe('medical/mri-nas');
    expect(registry.resolve('medical/mri-nas')).not.toBe(generator);
    expect(registry.providerOf('medical/mri-nas')).toBe(plugin);
  });

  it('offers generate, train and eval for medical/mri-nas with well-formed options, and a demo', () => {
    const commands = plugin.commands ?? {};
    expect(Object.keys(commands).sort()).toEqual(['eval', 'generate', 'train']);
    for (const [verb, byName] of Object.entries(commands)) {
      expect(Object.keys(byName ?? {}), verb).toEqual(['medical/mri-nas']);
      const command = byName!['medical/mri-nas']!;
      expect(command.description.length, verb).toBeGreaterThan(10);
      expect(typeof command.run, verb).toBe('function');
      for (const option of command.options) {
        expect(option.flags, verb).toMatch(FLAG);
        expect(option.description.length, `${verb} ${option.flags}`).toBeGreaterThan(5);
      }
      expect(new Set(flagsOf(command)).size, `${verb}: duplicate flags`).toBe(command.options.length);
    }
    expect(flagsOf(commands.generate!['medical/mri-nas']!)).toEqual(expect.arrayContaining(['--checkpoint', '--input', '--acceleration', '--samples', '--seed']));
    expect(flagsOf(commands.train!['medical/mri-nas']!)).toEqual(expect.arrayContaining(['--data', '--pool', '--tokenizer-steps', '--transformer-steps']));
    expect(flagsOf(commands.eval!['medical/mri-nas']!)).toEqual(expect.arrayContaining(['--checkpoint', '--acceleration', '--split', '--slices']));
    expect(typeof plugin.demo).toBe('function');
  });
});
