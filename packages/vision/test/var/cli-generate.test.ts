import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tf, readSafetensors } from '@nextx/core';
import { fixtureFile, readCases } from '../helpers/fixture.js';
import { expectClose } from '../helpers/parity.js';
import { DEMO_CHECKPOINT, loadVarCheckpoint } from '../../src/index.js';

const repoRoot = resolve(import.meta.dirname, '../../../..');
const cli = join(repoRoot, 'packages/core/dist/cli/main.js');
const out = mkdtempSync(join(tmpdir(), 'nextx-var-cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('nextx generate vision/var (built CLI) reproduces the reference greedy generation', () => {
  it.each(['safetensors', 'pth'])('from .%s weights: tokens.json, images.safetensors, PNGs', async (format) => {
    for (const path of [cli, join(repoRoot, 'packages/vision/dist/index.js')]) {
      if (!existsSync(path)) throw new Error(`${path} is missing: build first (npm test builds every package before the suite)`);
    }
    const dir = join(out, format);
    const args = [
      'generate', 'vision/var',
      '--vae', fixtureFile(`vae.${format}`), '--var', fixtureFile(`var.${format}`), '--config', fixtureFile('config.json'),
      '--classes', '3,7', '--cfg', '1.5', '--top-k', '1', '--top-p', '0', '--seed', '0',
      '--out', dir, '--json', '--backend', 'wasm',
    ];
    const run = spawnSync(process.execPath, [cli, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout) as { samples: string[]; grid: string };
    expect(summary.samples).toHaveLength(2);
    for (const file of [...summary.samples, summary.grid]) expect(readFileSync(file).subarray(1, 4).toString()).toBe('PNG');

    const cases = await readCases();
    const tokens = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as { scales: number[][][] };
    expect(tokens.scales).toHaveLength(4);
    tokens.scales.forEach((perImage, k) => expect(perImage).toEqual(cases[`d.cfg1p5.idx_Bl.${k}`]!.arraySync()));
    const images = readSafetensors(join(dir, 'images.safetensors'));
    expect(images['images']!.shape).toEqual([2, 3, 64, 64]);
    expectClose(images['images']!, cases['d.cfg1p5.img_B3HW_0to1']!, 'images.safetensors');
    tf.dispose([...Object.values(images), ...Object.values(cases)]);
  }, 180_000);

  it('without weights, generates from the bundled Fashion-MNIST checkpoint (also exported as DEMO_CHECKPOINT)', async () => {
    const dir = join(out, 'bundled');
    const run = spawnSync(process.execPath, [cli, 'generate', 'vision/var', '--classes', '1,7', '--out', dir, '--backend', 'wasm'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`using the bundled Fashion-MNIST checkpoint (${DEMO_CHECKPOINT})`);
    const images = readSafetensors(join(dir, 'images.safetensors'));
    expect(images['images']!.shape).toEqual([2, 1, 32, 32]);
    tf.dispose(Object.values(images));
    const model = await loadVarCheckpoint(DEMO_CHECKPOINT);
    expect(model.config.var.num_classes).toBe(10);
    model.dispose();
  });

  const messages: Array<[string, string[], RegExp]> = [
    ['swapped --vae and --var', ['--vae', fixtureFile('var.pth'), '--var', fixtureFile('vae.pth')], /^nextx: the VQVAE and VAR weights are swapped: .*var\.pth \(given as --vae\) holds the VAR transformer, .*vae\.pth \(given as --var\) the VQVAE$/],
    ['a transformer file as --vae', ['--vae', fixtureFile('var.pth'), '--var', fixtureFile('var.pth')], /var\.pth \(given as --vae, the VQVAE\) holds VAR transformer weights/],
    ['a setting the weights do not store', ['--vae', fixtureFile('vae.pth'), '--var', fixtureFile('var.pth')], /vqvae\.num_groups: .* \(not stored in the weights: pass the model's config with --config <file>/],
    ['--vae without --var', ['--vae', fixtureFile('vae.pth')], /needs --var <file> as well as --vae <file> \(or --checkpoint <dir>\); only --vae was given/],
    ['--checkpoint with --vae', ['--checkpoint', DEMO_CHECKPOINT, '--vae', fixtureFile('vae.pth'), '--var', fixtureFile('var.pth')], /either --checkpoint <dir> or --vae <file> with --var <file>, not both/],
    ['a run directory as --checkpoint', ['--checkpoint', out], /not a VAR checkpoint folder .*config\.json is missing/],
  ];
  it.each(messages)('%s: one paragraph saying what to do', (_name, flags, message) => {
    const run = spawnSync(process.execPath, [cli, 'generate', 'vision/var', ...flags, '--out', join(out, 'messages'), '--backend', 'wasm'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(1);
    const errors = run.stderr.trim().split('\n').filter((line) => line.startsWith('nextx:') || line.startsWith('  - '));
    expect(errors.join('\n')).toMatch(message);
  });

  it('without --seed draws a fresh seed, reports it in --json and on stderr, and --seed <it> repeats the run', () => {
    const generate = (name: string, extra: string[]) =>
      spawnSync(
        process.execPath,
        [cli, 'generate', 'vision/var', '--vae', fixtureFile('vae.safetensors'), '--var', fixtureFile('var.safetensors'), '--config', fixtureFile('config.json'),
          '--classes', '1,2', '--out', join(out, name), '--backend', 'wasm', ...extra],
        { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 },
      );
    const tokensOf = (name: string) => readFileSync(join(out, name, 'tokens.json'), 'utf8');
    const runs = ['fresh-a', 'fresh-b'].map((name) => generate(name, ['--json']));
    const seeds = runs.map((run) => {
      expect(run.status, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as { seed: number }).seed;
    });
    for (const seed of seeds) expect(Number.isInteger(seed)).toBe(true);
    expect(seeds[0]).not.toBe(seeds[1]);
    expect(tokensOf('fresh-a')).not.toBe(tokensOf('fresh-b'));
    const repeat = generate('repeat', ['--seed', String(seeds[0])]);
    expect(repeat.status, repeat.stderr).toBe(0);
    expect(repeat.stderr).toContain(`seed ${seeds[0]}`);
    expect(tokensOf('repeat')).toBe(tokensOf('fresh-a'));
  }, 180_000);

  it('bad input exits non-zero with one paragraph naming it', () => {
    const run = spawnSync(process.execPath, [cli, 'generate', 'vision/var', '--vae', '/nonexistent.pth', '--var', fixtureFile('var.pth')], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    const errors = run.stderr.trim().split('\n').filter((line) => line.startsWith('nextx:'));
    expect(errors).toEqual([expect.stringMatching(/^nextx: \/nonexistent\.pth: file not found$/)]);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
