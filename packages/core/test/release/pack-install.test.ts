import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const packages = resolve(import.meta.dirname, '../../..');
const fixture = (name: string) => resolve(import.meta.dirname, '../fixtures/var-tiny-a', name);
const workdir = mkdtempSync(join(tmpdir(), 'nextx-pack-install-'));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

/** The environment of a user who installed from the tarballs: none of the repository's test settings (CI sets NEXTX_BLAS=1 where it built the addon, which this user does not have). */
const userEnv: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('NEXTX_')));

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, env: userEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
}

function pack(folder: string): string {
  const dir = join(packages, folder);
  if (!existsSync(join(dir, 'dist', 'index.js'))) {
    throw new Error(`${dir}/dist is missing: build first (npm test builds every package before running the suite)`);
  }
  const [info] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', workdir], dir)) as [{ filename: string }];
  return join(workdir, info.filename);
}

const repoRoot = resolve(packages, '..');

/** The files of the README's plugin example (`package.json`, `tsconfig.json`, `src/index.ts`) and the outputs it shows. */
function readmePluginExample(): { files: Record<string, string>; pluginsOutput: string } {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Writing a plugin'), readme.indexOf('\n## ', readme.indexOf('## Writing a plugin') + 1));
  const files: Record<string, string> = {};
  for (const match of section.matchAll(/^`([\w./-]+)`:\n\n```\w+\n([\s\S]*?)\n```/gm)) files[match[1] as string] = `${match[2]}\n`;
  const pluginsOutput = /npx nextx plugins\n```\n\n```\n([\s\S]*?)\n```/.exec(section)?.[1] ?? '';
  return { files, pluginsOutput };
}

/** Writes the README's @acme/echo, builds it as its README step says (`tsc`, here the repository's), and packs it. */
function packReadmePlugin(): string {
  const { files } = readmePluginExample();
  expect(Object.keys(files).sort()).toEqual(['package.json', 'src/index.ts', 'tsconfig.json']);
  const dir = join(workdir, 'acme-echo');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  // Its `npm install` would fetch its devDependencies (@nextx/core, typescript): link this core and use this tsc.
  mkdirSync(join(dir, 'node_modules', '@nextx'), { recursive: true });
  symlinkSync(join(packages, 'core'), join(dir, 'node_modules', '@nextx', 'core'));
  run(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], dir);
  const [info] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', workdir], dir)) as [{ filename: string }];
  return join(workdir, info.filename);
}

describe('a user installs only @nextx/core and @nextx/vision from tarballs, and the README\'s plugin example', () => {
  it('installs without workspace links and runs the plugins through the public API and the CLI', () => {
    const acme = packReadmePlugin();
    const tarballs = [pack('core'), pack('vision'), acme];
    const project = join(workdir, 'app');
    run('mkdir', ['-p', project], workdir);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs], project);

    const installed = readdirSync(join(project, 'node_modules', '@nextx')).sort();
    expect(installed).toEqual(['core', 'vision']);
    expect(readdirSync(join(project, 'node_modules', '@acme'))).toEqual(['echo']);
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
    expect(listed.plugins.map((p) => [p.name, p.version]).sort()).toEqual([['@acme/echo', '1.0.0'], ['@nextx/vision', visionVersion]]);

    // The README's plugin example, as written: its row of `nextx plugins` and `nextx generate echo/reverse --prompt hi`.
    const table = run('npx', ['--no-install', 'nextx', 'plugins'], project).split('\n');
    const words = (line: string) => line.trim().split(/\s+/);
    const readmeRow = readmePluginExample().pluginsOutput.split('\n').find((line) => line.startsWith('@acme/echo'));
    expect(words(readmeRow ?? '')).toEqual(['@acme/echo', '1.0.0', 'echo', 'echo/reverse']);
    expect(table.map(words)).toContainEqual(words(readmeRow ?? ''));
    const echo = spawnSync('npx', ['--no-install', 'nextx', 'generate', 'echo/reverse', '--prompt', 'hi'], { cwd: project, env: userEnv, encoding: 'utf8', timeout: 120_000 });
    expect(echo.status, echo.stderr).toBe(0);
    expect(JSON.parse(echo.stdout)).toEqual({ text: 'ih' });
    expect(echo.stderr).toMatch(/^backend: wasm\nbackend wasm\n$/);
  }, 600_000);
});
