import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../../..');
const scratch = mkdtempSync(join(tmpdir(), 'nextx-release-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const run = (command: string, args: string[]) => execFileSync(command, args, { cwd: scratch, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const version = (folder: string) =>
  JSON.parse(readFileSync(join(scratch, 'packages', folder, 'package.json'), 'utf8')) as {
    version: string;
    peerDependencies?: Record<string, string>;
    nx?: { tags?: string[] };
  };

describe('npm run release:version (changesets) on a scratch copy of the workspace manifests', () => {
  it('bumps every package by the pending changesets, writes CHANGELOG.md, and keeps domain packages on core 0.x', () => {
    cpSync(join(root, 'package.json'), join(scratch, 'package.json'));
    cpSync(join(root, '.changeset'), join(scratch, '.changeset'), { recursive: true });
    const folders = readdirSync(join(root, 'packages'));
    for (const folder of folders) cpSync(join(root, 'packages', folder, 'package.json'), join(scratch, 'packages', folder, 'package.json'));
    const pending = readdirSync(join(scratch, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');
    expect(pending.length).toBeGreaterThan(0);
    const before = Object.fromEntries(folders.map((f) => [f, version(f).version]));
    run('git', ['init', '-q']);
    run('git', ['-c', 'user.email=ci@nextx', '-c', 'user.name=ci', 'add', '.']);
    run('git', ['-c', 'user.email=ci@nextx', '-c', 'user.name=ci', 'commit', '-qm', 'scratch']);

    run(join(root, 'node_modules', '.bin', 'changeset'), ['version']);

    expect(folders.filter((f) => version(f).nx?.tags?.includes('scope:domain')).length).toBeGreaterThanOrEqual(6);
    for (const folder of folders) {
      const after = version(folder);
      expect(after.version, folder).not.toBe(before[folder]);
      expect(after.version.startsWith('0.'), `${folder} stays 0.x (a core minor bump must not force a major one)`).toBe(true);
      expect(existsSync(join(scratch, 'packages', folder, 'CHANGELOG.md')), folder).toBe(true);
      // Domain packages peer on core; core itself and the native addon (which depends on no nextx package) do not.
      if (after.nx?.tags?.includes('scope:domain')) expect(after.peerDependencies?.['@nextx/core'], folder).toBe('>=0.1.0 <1.0.0');
    }
    expect(readdirSync(join(scratch, '.changeset')).filter((f) => pending.includes(f))).toEqual([]);
  }, 120_000);
});
