import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { AbortError, ConfigError, TrainingError } from '../../src/errors.js';
import type { ProgressEvent } from '../../src/contracts/events.js';
import { PrefetchingBatchSource } from '../../src/train/batch-source.js';
import { readMetrics } from '../../src/train/metrics-log.js';
import { Trainer, type TrainerOptions } from '../../src/train/trainer.js';
import type { TrainerConfigInput } from '../../src/train/trainer-config.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { RegressionSource, TinyRegressor, mseLoss, type RegressionBatch } from './tiny-regression.js';

const config: TrainerConfigInput = {
  steps: 12,
  lr: 0.02,
  schedule: { kind: 'cosine', warmupSteps: 3, minLr: 0.002 },
  weightDecay: 0.01,
  clipNorm: 1,
  accumulate: 2,
  ema: { decay: 0.9, warmup: true },
  checkpointEvery: 4,
  logEvery: 2,
  seed: 3,
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nextx-trainer-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function makeTrainer(
  overrides: Partial<TrainerOptions<RegressionBatch>> = {},
  loss = (model: TinyRegressor, batch: RegressionBatch) => mseLoss(model, batch),
  dropout = 0,
): { trainer: Trainer<RegressionBatch>; model: TinyRegressor } {
  const model = new TinyRegressor(11, dropout);
  const trainer = new Trainer<RegressionBatch>({
    model,
    loss: (batch) => loss(model, batch),
    source: new PrefetchingBatchSource(new RegressionSource(8)),
    config,
    checkpointDir: join(dir, 'ckpt'),
    metricsFile: join(dir, 'metrics.jsonl'),
    modelConfig: { kind: 'tiny' },
    tokensPerBatch: (b) => b.rows,
    ...overrides,
  });
  return { trainer, model };
}

function cleanup(...parts: Array<{ trainer: Trainer<RegressionBatch>; model: TinyRegressor }>): void {
  for (const { trainer, model } of parts) {
    trainer.dispose();
    model.dispose();
  }
}

describe.each(TEST_BACKENDS)('Trainer on %s', (backend) => {
  beforeEach(async () => {
    await useBackend(backend);
  });

  it('trains, logs JSON lines, reports progress and keeps the tensor count flat', async () => {
    const events: ProgressEvent[] = [];
    const counts: number[] = [];
    const run = makeTrainer({
      onProgress: (e) => {
        events.push(e);
        counts.push(tf.memory().numTensors);
      },
      checkpointDir: undefined,
      config: { ...config, steps: 40, lr: 0.05, schedule: { kind: 'linear', warmupSteps: 2, minLr: 0.01 }, logEvery: 8 },
    });
    const result = await run.trainer.run();
    expect(result.step).toBe(40);
    const losses = result.history.map((m) => m.loss);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(30))).toBeLessThan(0.5 * mean(losses.slice(0, 10)));
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(events.at(-1)).toMatchObject({ stage: 'train', completed: 40, total: 40 });
    const logged = readMetrics(join(dir, 'metrics.jsonl'));
    expect(logged.map((m) => m.step)).toEqual([8, 16, 24, 32, 40]);
    // step 8 is the 0-based step 7: 0.05 + (0.01 − 0.05)·(7 − 2)/(40 − 2)
    expect(logged[0]).toMatchObject({ loss: losses[7], lr: expect.closeTo(0.05 - (0.04 * 5) / 38, 9) });
    expect(logged[0]?.tokensPerSecond).toBeGreaterThan(0);
    expect(logged.every((m) => Number.isFinite(m.gradNorm) && m.time >= 0)).toBe(true);
    cleanup(run);
  });

  it('reports tokens per second only when it is told how to count tokens', async () => {
    const shown: string[][] = [];
    const logged: boolean[] = [];
    for (const tokensPerBatch of [(b: RegressionBatch) => b.rows, undefined]) {
      const events: ProgressEvent[] = [];
      const run = makeTrainer({ tokensPerBatch, onProgress: (e) => events.push(e), checkpointDir: undefined, config: { ...config, steps: 2 } });
      const { history } = await run.trainer.run();
      shown.push(Object.keys(events.at(-1)?.metrics ?? {}));
      logged.push('tokensPerSecond' in history.at(-1)!);
      cleanup(run);
    }
    expect(shown).toEqual([
      ['loss', 'lr', 'gradNorm', 'tokensPerSecond'],
      ['loss', 'lr', 'gradNorm'],
    ]);
    expect(logged).toEqual([true, false]);
  });

  it('resumes from a checkpoint to exactly the same losses', async () => {
    const straight = makeTrainer({ checkpointDir: join(dir, 'straight') });
    const reference = (await straight.trainer.run()).history.map((m) => m.loss);
    const first = makeTrainer();
    const firstRun = await first.trainer.run({ untilStep: 6 });
    expect(firstRun.checkpoint).toBe(join(dir, 'ckpt'));
    const second = makeTrainer();
    expect(second.trainer.resumeIfPresent()).toBe(6);
    const resumed = (await second.trainer.run()).history.map((m) => m.loss);
    expect(resumed).toHaveLength(6);
    resumed.forEach((loss, i) => expect(Math.abs(loss - (reference[6 + i] as number))).toBeLessThanOrEqual(1e-6));
    expect(readMetrics(join(dir, 'metrics.jsonl')).map((m) => m.step)).toEqual([2, 4, 6, 8, 10, 12]);
    const state = JSON.parse(readFileSync(join(dir, 'ckpt', 'training_state.json'), 'utf8')) as { step: number };
    expect(state.step).toBe(12);
    expect(JSON.parse(readFileSync(join(dir, 'ckpt', 'config.json'), 'utf8'))).toEqual({ kind: 'tiny' });
    cleanup(straight, first, second);
  });

  it("resumes a model with dropout exactly: the checkpoint holds the model's own Rng positions", async () => {
    const straight = makeTrainer({ checkpointDir: join(dir, 'straight') }, undefined, 0.5);
    const reference = (await straight.trainer.run()).history.map((m) => m.loss);
    const first = makeTrainer({}, undefined, 0.5);
    await first.trainer.run({ untilStep: 5 });
    const state = JSON.parse(readFileSync(join(dir, 'ckpt', 'training_state.json'), 'utf8')) as { model: Record<string, { rngs: object }> };
    expect(Object.keys(state.model)).toEqual(['drop']);
    expect(Object.keys(state.model['drop']!.rngs)).toEqual(['rng']);
    const second = makeTrainer({}, undefined, 0.5);
    expect(second.trainer.resumeIfPresent()).toBe(5);
    expect((await second.trainer.run()).history.map((m) => m.loss)).toEqual(reference.slice(5));
    cleanup(straight, first, second);
  });

  it('stops on a non-finite loss with a TrainingError and keeps the last good checkpoint untouched', async () => {
    const saved: { weights?: Buffer; state?: string } = {};
    const ckpt = join(dir, 'ckpt');
    const run = makeTrainer(
      {
        onProgress: (e) => {
          if (e.completed === 5) {
            saved.weights = readFileSync(join(ckpt, 'model.safetensors'));
            saved.state = readFileSync(join(ckpt, 'training_state.json'), 'utf8');
          }
        },
      },
      (model, batch) => (batch.index === 13 ? tf.tidy(() => tf.mul(mseLoss(model, batch), NaN)) : mseLoss(model, batch)),
    );
    const failure = await run.trainer.run().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TrainingError);
    expect((failure as TrainingError).step).toBe(7);
    expect((failure as TrainingError).lastGoodCheckpoint).toBe(ckpt);
    expect((failure as Error).message).toMatch(/non-finite loss .* at step 7/);
    expect(readFileSync(join(ckpt, 'model.safetensors')).equals(saved.weights as Buffer)).toBe(true);
    expect(readFileSync(join(ckpt, 'training_state.json'), 'utf8')).toBe(saved.state);
    expect(JSON.parse(saved.state as string)).toMatchObject({ step: 4 });
    cleanup(run);
  });

  it('on an abort between steps or inside one, saves the steps done; the resumed run equals a straight one', async () => {
    const straight = makeTrainer({ checkpointDir: join(dir, 'straight') });
    const reference = (await straight.trainer.run()).history.map((m) => m.loss);
    const stops: Array<[string, (controller: AbortController) => Partial<TrainerOptions<RegressionBatch>>, number]> = [
      // after step 6 (checkpointEvery is 4: without the save on abort, steps 5 and 6 would be lost)
      ['between steps', (c) => ({ onProgress: (e) => e.completed === 6 && c.abort() }), 6],
      // while step 9's first micro-batch (batch 16) is computed: the step is abandoned, its batches drawn again
      ['inside a step', () => ({}), 8],
    ];
    let resumeFrom = 0;
    for (const [what, options, expectedStep] of stops) {
      const controller = new AbortController();
      const run = makeTrainer(
        { signal: controller.signal, ...options(controller) },
        (model, batch) => {
          if (what === 'inside a step' && batch.index === 16) controller.abort();
          return mseLoss(model, batch);
        },
      );
      expect(run.trainer.resumeIfPresent()).toBe(resumeFrom);
      const failure = await run.trainer.run().catch((error: unknown) => error);
      expect(failure, what).toBeInstanceOf(AbortError);
      expect((failure as Error).message).toMatch(new RegExp(`checkpoint at step ${expectedStep}`));
      const state = JSON.parse(readFileSync(join(dir, 'ckpt', 'training_state.json'), 'utf8')) as { step: number };
      expect(state.step, what).toBe(expectedStep);
      resumeFrom = expectedStep;
      cleanup(run);
    }
    const last = makeTrainer();
    expect(last.trainer.resumeIfPresent()).toBe(8);
    const resumed = (await last.trainer.run()).history.map((m) => m.loss);
    expect(resumed).toEqual(reference.slice(8));
    expect(readdirSync(dir).sort()).toEqual(['ckpt', 'metrics.jsonl', 'straight']);
    cleanup(straight, last);
  });

  it('refuses a bad config naming the field', () => {
    const model = new TinyRegressor(1);
    expect(() => new Trainer({ model, loss: () => tf.scalar(0), source: new RegressionSource(2), config: { steps: 0, lr: 1 } })).toThrow(ConfigError);
    model.dispose();
  });
});
