import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeTrainingCheckpoint, loadTrainingCheckpoint } from '@nextx/core';
import { loadForecaster } from '../../src/forecast/checkpoint.js';
import { useBackend } from '../helpers/backends.js';
import { simulateAr } from '../helpers/simulate.js';

const repoRoot = resolve(import.meta.dirname, '../../../..');
const cli = join(repoRoot, 'packages/core/dist/cli/main.js');
const root = mkdtempSync(join(tmpdir(), 'nextx-ts-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const EPOCHS = 60;

describe('nextx train timeseries/arnet (built CLI): Ctrl-C and --resume', () => {
  beforeAll(async () => {
    for (const path of [cli, join(repoRoot, 'packages/timeseries/dist/index.js')]) {
      if (!existsSync(path)) throw new Error(`${path} is missing: build first (npm test builds every package before the suite)`);
    }
    await useBackend('wasm');
  });

  it('SIGINT stops within ~2 s at a safe point with a loadable training checkpoint, which --resume finishes', async () => {
    const csv = join(root, 'series.csv');
    writeFileSync(csv, `time,y\n${Array.from(simulateAr([0.6, -0.2], 600, 2), (v, t) => `${t},${v}`).join('\n')}\n`);
    const out = join(root, 'run');
    const training = join(out, 'training');
    const args = ['train', 'timeseries/arnet', '--csv', csv, '--target', 'y', '--lag', '8', '--epochs', String(EPOCHS), '--samples', '0', '--out', out, '--backend', 'wasm'];

    const child = spawn(process.execPath, [cli, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = new Promise<number | null>((done) => child.on('close', done));
    // Interrupt once the first epoch's checkpoint is there (training is then well under way, far from its end).
    const deadline = Date.now() + 90_000;
    while (!existsSync(join(training, 'training_state.json')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const sent = performance.now();
    child.kill('SIGINT');
    const code = await closed;
    const stopMs = performance.now() - sent;
    expect(code, stderr).toBe(130);
    expect(stopMs).toBeLessThan(2000);
    expect(stderr).toMatch(/interrupted, stopping at the next safe point/);
    expect(stderr).toMatch(/nextx: training interrupted after (\d+) steps; the training checkpoint .*training resumes it \(--resume\)/);
    const stoppedAt = Number(/interrupted after (\d+) steps/.exec(stderr)?.[1]);
    expect(existsSync(join(out, 'checkpoint'))).toBe(false);

    const saved = loadTrainingCheckpoint(training, { ema: false });
    expect(saved.state.step).toBe(stoppedAt);
    expect(saved.state.step).toBeGreaterThan(0);
    expect((saved.modelConfig as { model: { ar_order: number } }).model.ar_order).toBe(8);
    expect(Object.keys(saved.weights).length).toBeGreaterThan(0);
    disposeTrainingCheckpoint(saved);

    const resumed = spawnSync(process.execPath, [cli, ...args, '--resume'], { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming from the training checkpoint ${training}`);
    const report = JSON.parse(readFileSync(join(out, 'train-report.json'), 'utf8')) as { checkpoint: string };
    const final = JSON.parse(readFileSync(join(training, 'training_state.json'), 'utf8')) as { step: number; loop: { history: Array<{ step: number; epoch: number }> } };
    const batchesPerEpoch = final.step / EPOCHS;
    expect(Number.isInteger(batchesPerEpoch)).toBe(true);
    expect(stoppedAt).toBeLessThan(final.step);
    // One record per step of the whole run, the interrupted part included, in order.
    expect(final.loop.history.map((r) => r.step)).toEqual(Array.from({ length: final.step }, (_, i) => i));
    const { forecaster } = loadForecaster(report.checkpoint);
    expect(forecaster.lag).toBe(8);
    forecaster.model.dispose();
  }, 300_000);
});
