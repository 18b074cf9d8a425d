import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf, Registry, readSafetensors } from '@nextx/core';
import { MriNasGenerator, kspaceCflDims, plugin, sheppLogan, simulateAcquisition, writeCfl, writeFastmriFile } from '../../src/index.js';
import { Rng } from '@nextx/core';
import { useBackend } from '../helpers/backends.js';
import { TINY_CONFIG, tinyModel } from '../helpers/tiny-model.js';

const repoRoot = resolve(import.meta.dirname, '../../../..');
const cli = join(repoRoot, 'packages/core/dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'nextx-mri-cli-'));
const checkpoint = join(dir, 'ckpt');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  for (const path of [cli, join(repoRoot, 'packages/medical/dist/index.js')]) {
    if (!existsSync(path)) throw new Error(`${path} is missing: build first (npm test builds every package before the suite)`);
  }
  await useBackend('wasm');
  const model = tinyModel(3);
  model.save(checkpoint);
  model.dispose();
});

const nextx = (args: string[]) => spawnSync(process.execPath, [cli, ...args, '--backend', 'wasm'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });

interface GenerateSummary {
  levels: { png: string; safetensors: string; acceleration: number; metrics?: { psnr: number } }[];
  zeroFilled: { metrics?: { psnr: number } };
  figure: string;
  seed: number;
}

describe('nextx generate medical/mri-nas (built CLI)', () => {
  it.each(['h5', 'cfl', 'nii'])('from a .%s input: one PNG and safetensors per level, the figure, metrics against the target', async (kind) => {
    const acquisition = simulateAcquisition(sheppLogan(24), { numCoils: 3, noise: 0.001 }, Rng.seeded(1));
    let input: string;
    if (kind === 'h5') {
      // a fully sampled two-slice volume of another matrix (24×24), which the CLI resamples to the model's 16×16
      const { re, im } = acquisition.kspace;
      input = await writeFastmriFile(join(dir, 'volume.h5'), {
        kspace: { re: Float32Array.from([...re, ...re]), im: Float32Array.from([...im, ...im]), shape: [2, 3, 24, 24] },
        reconstructionRss: { data: Float32Array.from([...acquisition.target.data, ...acquisition.target.data]), shape: [2, 24, 24] },
      });
    } else if (kind === 'cfl') {
      input = `${writeCfl(join(dir, 'kspace'), acquisition.kspace, kspaceCflDims(acquisition.kspace.shape))}.cfl`;
    } else {
      input = join(dir, 'colin.nii.gz');
      copyFileSync(new URL('../fixtures/file-formats/colin27-crop.nii.gz', import.meta.url), input);
    }
    const out = join(dir, `out-${kind}`);
    const run = nextx(['generate', 'medical/mri-nas', '--checkpoint', checkpoint, '--input', input, '--acceleration', '4', '--samples', '2', '--seed', '5', '--out', out, '--json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout) as GenerateSummary;
    expect(summary.levels.map((l) => l.acceleration)).toEqual([4, 2, 1]);
    expect(summary.seed).toBe(5);
    for (const level of summary.levels) {
      expect(readFileSync(level.png).subarray(1, 4).toString()).toBe('PNG');
      const tensors = readSafetensors(level.safetensors);
      expect(tensors['mean']!.shape).toEqual([16, 16]);
      expect(tensors['samples']!.shape).toEqual([2, 16, 16]);
      expect(Number.isFinite(level.metrics!.psnr)).toBe(true);
      tf.dispose(Object.values(tensors));
    }
    expect(readFileSync(summary.figure).subarray(1, 4).toString()).toBe('PNG');
    expect(Number.isFinite(summary.zeroFilled.metrics!.psnr)).toBe(true);
  }, 180_000);

  it('--acceleration 8 with the bundled checkpoint: writes 8×, 4×, 2×, 1× as they stream and prints each one\'s metrics against the target', async () => {
    const acquisition = simulateAcquisition(sheppLogan(64), { numCoils: 4, noise: 0.002 }, Rng.seeded(2));
    const input = await writeFastmriFile(join(dir, 'phantom64.h5'), {
      kspace: { ...acquisition.kspace, shape: [1, 4, 64, 64] },
      reconstructionRss: { data: acquisition.target.data, shape: [1, 64, 64] },
    });
    const out = join(dir, 'out-8x');
    const run = nextx(['generate', 'medical/mri-nas', '--input', input, '--acceleration', '8', '--samples', '2', '--seed', '1', '--out', out]);
    expect(run.status).toBe(0);
    const levelLines = run.stderr.split('\n').filter((line) => /^\d+× level: NMSE [\d.]+ {2}PSNR [\d.]+ dB {2}SSIM [\d.]+$/.test(line));
    expect(levelLines.map((line) => line.split('×')[0])).toEqual(['8', '4', '2', '1']);
    expect(run.stderr).toMatch(/zero-filled: NMSE [\d.]+ {2}PSNR/);
    for (const name of ['level-0-8x', 'level-1-4x', 'level-2-2x', 'level-3-1x']) {
      expect(readFileSync(join(out, `${name}.png`)).subarray(1, 4).toString()).toBe('PNG');
      const tensors = readSafetensors(join(out, `${name}.safetensors`));
      expect(tensors['mean']!.shape).toEqual([64, 64]);
      expect(tensors['samples']!.shape).toEqual([2, 64, 64]);
      tf.dispose(Object.values(tensors));
    }
  }, 180_000);

  it('names a bad input: a missing --input, an unknown extension, an acceleration that is not a level', () => {
    const missing = nextx(['generate', 'medical/mri-nas', '--checkpoint', checkpoint, '--out', join(dir, 'x')]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/needs --input/);
    writeFileSync(join(dir, 'image.png'), 'x');
    const png = nextx(['generate', 'medical/mri-nas', '--checkpoint', checkpoint, '--input', join(dir, 'image.png'), '--acceleration', '4', '--out', join(dir, 'x')]);
    expect(png.stderr).toMatch(/--input must be a fastMRI \.h5, a BART \.cfl\/\.hdr or a NIfTI/);
    const level = nextx(['generate', 'medical/mri-nas', '--checkpoint', checkpoint, '--input', join(dir, 'image.png'), '--acceleration', '8', '--out', join(dir, 'x')]);
    expect(level.stderr).toMatch(/--acceleration 8 is not a level of this model \(4, 2\)/);
  }, 60_000);

  it('train and eval run from the CLI (phantoms, a tiny config)', () => {
    const config = join(dir, 'tiny.json');
    writeFileSync(config, JSON.stringify(TINY_CONFIG));
    const trained = join(dir, 'trained');
    const train = nextx(['train', 'medical/mri-nas', '--data', 'phantoms', '--config', config, '--pool', '4', '--tokenizer-steps', '2', '--transformer-steps', '2', '--out', trained, '--json']);
    expect(train.status).toBe(0);
    expect((JSON.parse(train.stdout) as { checkpoint: string }).checkpoint).toBe(trained);
    const evaluated = nextx(['eval', 'medical/mri-nas', '--checkpoint', trained, '--data', 'phantoms', '--acceleration', '4', '--slices', '2', '--samples', '1', '--out', join(dir, 'eval'), '--json']);
    expect(evaluated.status).toBe(0);
    const rows = (JSON.parse(evaluated.stdout) as { rows: { method: string; metrics: { ssim: number } }[] }).rows;
    expect(rows.map((r) => r.method)).toEqual(['zero-filled', 'mri-nas 4× level', 'mri-nas 2× level', 'mri-nas 1× level']);
    expect(rows.every((r) => r.metrics.ssim > 0 && r.metrics.ssim <= 1)).toBe(true);
  }, 240_000);
});

describe('the plugin', () => {
  it('registers medical/mri-nas as a Generator and its commands', async () => {
    const registry = new Registry().use(plugin);
    expect(registry.plugins()[0]!.provides).toEqual(['medical/mri-nas']);
    expect(Object.keys(plugin.commands!)).toEqual(['generate', 'train', 'eval']);
    const generator = new MriNasGenerator();
    await generator.init(TINY_CONFIG);
    expect(generator.models.config.imageSize).toBe(16);
    generator.dispose();
  });
});
