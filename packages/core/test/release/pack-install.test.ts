import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const packages = resolve(import.meta.dirname, '../../..');
const fixture = (name: string) => resolve(import.meta.dirname, '../fixtures/var-tiny-a', name);
const workdir = mkdtempSync(join(tmpdir(), 'nextx-pack-install-'));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
}

function pack(folder: string): string {
  const dir = join(packages, folder);
  if (!existsSync(join(dir, 'dist', 'index.js'))) {
    throw new Error(`${dir}/dist is missing: build first (npm test builds every package before running the suite)`);
  }
  const [info] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', workdir], dir)) as [{ filename: string }];
  return join(workdir, info.filename);
}

describe('a user installs only @nextx/core and @nextx/vision from tarballs', () => {
  it('installs without workspace links and runs the plugin through the public API and the CLI', () => {
    const tarballs = [pack('core'), pack('vision')];
    const project = join(workdir, 'app');
    run('mkdir', ['-p', project], workdir);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs], project);

    const installed = readdirSync(join(project, 'node_modules', '@nextx')).sort();
    expect(installed).toEqual(['core', 'vision']);
    const visionVersion = (JSON.parse(readFileSync(join(packages, 'vision', 'package.json'), 'utf8')) as { version: string }).version;

    writeFileSync(
      join(project, 'use.mjs'),
      [
        "import { Registry, initBackend, tf } from '@nextx/core';",
        "import { plugin } from '@nextx/vision';",
        "const status = await initBackend({ prefer: 'cpu' });",
        'const registry = new Registry().use(plugin);',
        'const sum = tf.tidy(() => tf.sum(tf.tensor([1, 2, 3])).dataSync()[0]);',
        "const model = registry.resolve('vision/var');",
        `await model.loadWeights({ vae: ${JSON.stringify(fixture('vae.safetensors'))}, var: ${JSON.stringify(fixture('var.pth'))}, config: ${JSON.stringify(fixture('config.json'))} });`,
        'const scales = [];',
        'for await (const chunk of model.generate({ classes: [3, 7], cfg: 1.5, topK: 1, topP: 0 }, { seed: 0 })) scales.push(chunk.value);',
        'model.dispose();',
        'const image = scales.at(-1).image;',
        'console.log(JSON.stringify({ backend: status.active, plugins: registry.plugins(), sum, scales: scales.map((s) => s.patchNum), imageShape: image.shape, tensors: tf.memory().numTensors }));',
      ].join('\n'),
    );
    const used = JSON.parse(run('node', ['use.mjs'], project)) as {
      backend: string;
      plugins: { name: string; version: string }[];
      sum: number;
      scales: number[];
      imageShape: number[];
      tensors: number;
    };
    expect(used.backend).toBe('cpu');
    expect(used.sum).toBe(6);
    // vision/var resolved from the registry generates from VAR weights (the var-tiny-a fixture: 4 scales, 64×64).
    expect(used.scales).toEqual([1, 2, 3, 4]);
    expect(used.imageShape).toEqual([2, 64, 64, 3]);
    expect(used.tensors).toBe(0);
    expect(used.plugins).toContainEqual(expect.objectContaining({ name: '@nextx/vision', version: visionVersion }));

    const listed = JSON.parse(run('npx', ['--no-install', 'nextx', 'plugins', '--json'], project)) as {
      plugins: { name: string; version: string }[];
      failures: unknown[];
    };
    expect(listed.failures).toEqual([]);
    expect(listed.plugins.map((p) => [p.name, p.version])).toEqual([['@nextx/vision', visionVersion]]);
  }, 600_000);
});
