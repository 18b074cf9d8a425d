import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOY_VAR_CONFIG, writeToyFolder } from '../helpers/toy-images.js';

const repoRoot = resolve(import.meta.dirname, '../../../..');
const cli = join(repoRoot, 'packages/core/dist/cli/main.js');
const root = mkdtempSync(join(tmpdir(), 'nextx-var-cli-train-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const out = join(root, 'run');
const args = () => [
  cli, 'train', 'vision/var',
  '--data', join(root, 'images'), '--config', join(root, 'config.json'),
  '--vqvae-steps', '60', '--var-steps', '10', '--batch', '4', '--var-batch', '4', '--eval-images', '8', '--checkpoint-every', '1000',
  '--out', out, '--backend', 'wasm',
];

describe('nextx train vision/var (built CLI): a smoke run on a folder of PNGs, Ctrl-C, --resume', () => {
  beforeAll(() => {
    for (const path of [cli, join(repoRoot, 'packages/vision/dist/index.js')]) {
      if (!existsSync(path)) throw new Error(`${path} is missing: build first (npm test builds every package before the suite)`);
    }
    writeToyFolder(join(root, 'images'), { perClass: 10 });
    writeFileSync(join(root, 'config.json'), JSON.stringify(TOY_VAR_CONFIG));
  });

  it('stops within two seconds of SIGINT with exit 130 and a saved step; --resume finishes the run', async () => {
    const child = spawn(process.execPath, args(), { cwd: root });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Interrupt once the VQVAE has taken a few steps (its metrics file gets a line per step).
    const metrics = join(out, 'vqvae-metrics.jsonl');
    let interruptedAt = 0;
    const poll = setInterval(() => {
      if (existsSync(metrics) && readFileSync(metrics, 'utf8').split('\n').length > 3) {
        clearInterval(poll);
        interruptedAt = Date.now();
        child.kill('SIGINT');
      }
    }, 20);
    const code = await new Promise<number | null>((done) => child.on('close', done));
    clearInterval(poll);
    const latency = Date.now() - interruptedAt;
    expect(stderr).toMatch(/interrupted, stopping at the next safe point/);
    expect(code).toBe(130);
    expect(latency).toBeLessThan(2500);
    expect(stderr).toMatch(/^nextx: interrupted while training the VQVAE \(training aborted after step (\d+); checkpoint at step \1 in .*vqvae-training\)/m);
    expect(stderr).toContain(`continue it with \`nextx train vision/var --out ${out} --resume\``);
    const saved = (JSON.parse(readFileSync(join(out, 'vqvae-training', 'training_state.json'), 'utf8')) as { step: number }).step;
    expect(saved).toBeGreaterThan(0);
    expect(saved).toBeLessThan(60);

    // Resumed through a pipe, as in a log: it continues from the saved step and prints few, clean lines.
    const resumed = spawnSync(process.execPath, [...args(), '--resume'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
    expect(resumed.status, resumed.stderr).toBe(0);
    const steps = readFileSync(join(out, 'vqvae-metrics.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { step: number }).step);
    expect(steps).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const report = JSON.parse(resumed.stdout) as { checkpoint: string; vqvae: { steps: number }; var: { steps: number } };
    expect([report.vqvae.steps, report.var.steps]).toEqual([60, 10]);
    expect(existsSync(join(report.checkpoint, 'config.json'))).toBe(true);
    const lines = resumed.stderr.trim().split('\n');
    for (const line of lines) expect(line).toBe(line.trimEnd());
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines.filter((l) => /^var 10\/10 /.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /^vqvae 60\/60 /.test(l))).toHaveLength(1);
    expect(lines.length).toBeLessThan(40);
  }, 360_000);
});
