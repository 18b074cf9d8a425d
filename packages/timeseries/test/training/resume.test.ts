import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, ConfigError, Rng, loadTrainingCheckpoint, disposeTrainingCheckpoint, type Module, type ProgressEvent, type tf } from '@nextx/core';
import { ArnetModel } from '../../src/arnet/model.js';
import { parseArnetConfig } from '../../src/arnet/config.js';
import { trainArnet, type ArnetTrainOptions } from '../../src/arnet/train.js';
import { slidingWindows, splitWindowsByFraction, alignedWindows } from '../../src/data/windows.js';
import { SpacetimeModel } from '../../src/spacetime/model.js';
import { defaultSpacetimeConfig } from '../../src/spacetime/default-config.js';
import { trainSpacetime, type SpacetimeTrainOptions } from '../../src/spacetime/train.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { liveTensors } from '../helpers/memory.js';
import { simulateAr } from '../helpers/simulate.js';

const root = mkdtempSync(join(tmpdir(), 'nextx-ts-resume-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every weight and optimizer moment of a training checkpoint, and its JSON state, as plain values. */
function checkpointContents(dir: string, extra: string[] = []) {
  const saved = loadTrainingCheckpoint(dir, { ema: false, extra });
  const values = (dict: Record<string, tf.Tensor>) => Object.fromEntries(Object.entries(dict).map(([k, t]) => [k, Array.from(t.dataSync())]));
  const contents = {
    weights: values(saved.weights),
    m: values(saved.optimizer.m),
    v: values(saved.optimizer.v),
    optimizerStep: saved.optimizer.step,
    extra: Object.fromEntries(Object.entries(saved.extra ?? {}).map(([k, d]) => [k, values(d)])),
    state: saved.state,
  };
  disposeTrainingCheckpoint(saved);
  return contents;
}

const weightsOf = (model: Module) => Object.fromEntries(model.namedParameters().map(([name, p]) => [name, Array.from(p.dataSync())]));

/**
 * Runs `train` to the end, interrupting it (AbortSignal, as Ctrl-C does) after each step in `stops` and resuming from
 * the checkpoint it wrote, every time with a freshly initialised model (seed `k + 1`) so nothing but the checkpoint
 * carries over. Returns the last run's result, its progress events and the model.
 */
async function interruptedRun<R>(
  stops: readonly number[],
  makeModel: (seed: number) => Module,
  train: (model: Module, hooks: { signal: AbortSignal; onStep: (step: number) => void; onProgress: (e: ProgressEvent) => void }) => Promise<R>,
): Promise<{ result: R; model: Module; events: ProgressEvent[]; stoppedAt: number[] }> {
  const stoppedAt: number[] = [];
  for (let k = 0; ; k++) {
    const controller = new AbortController();
    const model = makeModel(k + 1);
    const events: ProgressEvent[] = [];
    const stop = stops[k];
    try {
      const result = await train(model, {
        signal: controller.signal,
        onStep: (step) => {
          if (step === stop) controller.abort();
        },
        onProgress: (e) => events.push(e),
      });
      return { result, model, events, stoppedAt };
    } catch (error) {
      model.dispose();
      if (!(error instanceof AbortError)) throw error;
      expect(error.message).toMatch(/training interrupted after \d+ steps; the training checkpoint .* resumes it/);
      stoppedAt.push(events.at(-1)?.completed ?? 0);
    }
  }
}

describe.each(TEST_BACKENDS)('interrupted and resumed training equals a straight run bit for bit, on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('AR-Net: weights, fastai Adam moments, one-cycle lr/momentum, pct_train, λ ramp and history', async () => {
    const series = simulateAr([0.5, -0.3, 0.2], 420, 3);
    const windows = splitWindowsByFraction(slidingWindows(series, 6, 2), 0.1);
    // A hidden layer, the regulariser ramping from 20% to 70% of training (λ changes batch by batch), shuffled batches.
    const config = parseArnetConfig({ ar_order: 6, n_forecasts: 2, layers: [4], sparsity: 0.3, start_reg_pct: 0.2, full_reg_pct: 0.7, est_noise: 0.8 });
    const trainConfig = { n_epoch: 4, lr: 0.02, train_bs: 32, seed: 5 };
    const nIter = Math.floor(windows.train.n / 32);
    const before = liveTensors();
    const train = (dir: string) => (model: Module, hooks: { signal?: AbortSignal; onStep?: (step: number) => void; onProgress?: (e: ProgressEvent) => void }) => {
      const options: ArnetTrainOptions = {
        checkpoint: { dir, resume: true },
        ...(hooks.signal ? { signal: hooks.signal } : {}),
        ...(hooks.onStep ? { onStep: (r: { step: number }) => hooks.onStep?.(r.step + 1) } : {}),
        ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
      };
      return trainArnet(model as ArnetModel, windows, trainConfig, options);
    };
    const makeModel = (seed: number) => new ArnetModel(config, { rng: Rng.seeded(seed) });

    const straightDir = join(root, `arnet-straight-${backend}`);
    const straightModel = makeModel(1);
    const straight = await train(straightDir)(straightModel, {});
    const straightWeights = weightsOf(straightModel);
    straightModel.dispose();

    // Mid-epoch (step 5 of epoch 1), then exactly at the end of epoch 2, then to the end.
    const resumedDir = join(root, `arnet-resumed-${backend}`);
    const resumed = await interruptedRun([nIter + 5, 2 * nIter], makeModel, train(resumedDir));
    expect(resumed.stoppedAt).toEqual([nIter + 5, 2 * nIter]);
    expect(resumed.result.history).toEqual(straight.history);
    expect(resumed.result.validLoss).toEqual(straight.validLoss);
    expect(weightsOf(resumed.model)).toEqual(straightWeights);
    expect(checkpointContents(resumedDir)).toEqual(checkpointContents(straightDir));
    // The λ ramp really moved and the schedule went through its cycle (the comparison is not of constants).
    const lams = straight.history.map((r) => r.lam);
    expect(lams[0]).toBe(0);
    expect(new Set(lams).size).toBeGreaterThan(nIter);
    expect(new Set(straight.history.map((r) => r.mom)).size).toBeGreaterThan(nIter);
    // Progress continues from where the interrupted run stopped.
    expect(resumed.events[0]?.completed).toBe(2 * nIter + 1);
    expect(resumed.events.at(-1)).toMatchObject({ stage: 'train', completed: 4 * nIter, total: 4 * nIter });
    resumed.model.dispose();
    expect(liveTensors()).toBe(before);
  });

});

describe('interrupted and resumed SpaceTime training equals a straight run bit for bit (wasm; its steps cost more)', () => {
  const backend = 'wasm';
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('SpaceTime: weights, AdamW moments and step, cosine schedule, best-epoch weights and history', async () => {
    const t = Array.from({ length: 160 }, (_, i) => i);
    const values = [Float64Array.from(t, (i) => Math.sin(i / 4) + 0.3 * Math.cos(i / 9) + 0.01 * i)];
    const observed = [new Uint8Array(160).fill(1)];
    const all = alignedWindows(values, observed, 12, 4, 0, 160, 2);
    const cut = all.n - 8;
    const slice = (from: number, to: number) => ({ ...all, n: to - from, x: all.x.slice(from * 12, to * 12), y: all.y.slice(from * 4, to * 4) });
    const data = { train: slice(0, cut), valid: slice(cut, all.n) };
    const config = defaultSpacetimeConfig({ inputDim: 1, lag: 12, horizon: 4, modelDim: 16, kernelDim: 4, extraBlocks: 0 });
    const trainConfig = { epochs: 3, batch_size: 16, lr: 5e-3, schedule: 'cosine' as const, warmup_epochs: 1, min_lr: 1e-4, return_best: true, seed: 2 };
    const batches = Math.ceil(cut / 16);
    const before = liveTensors();
    const train = (dir: string) => (model: Module, hooks: { signal?: AbortSignal; onStep?: (step: number) => void; onProgress?: (e: ProgressEvent) => void }) => {
      const options: SpacetimeTrainOptions = {
        checkpoint: { dir, resume: true },
        ...(hooks.signal ? { signal: hooks.signal } : {}),
        onProgress: (e) => {
          hooks.onProgress?.(e);
          hooks.onStep?.(e.completed);
        },
      };
      return trainSpacetime(model as SpacetimeModel, data, trainConfig, options);
    };
    const makeModel = (seed: number) => new SpacetimeModel(config, { rng: Rng.seeded(seed) });

    const straightDir = join(root, `spacetime-straight-${backend}`);
    const straightModel = makeModel(1);
    const straight = await train(straightDir)(straightModel, {});
    const straightWeights = weightsOf(straightModel);
    straightModel.dispose();

    const resumedDir = join(root, `spacetime-resumed-${backend}`);
    const resumed = await interruptedRun([batches + 1], makeModel, train(resumedDir));
    expect(resumed.stoppedAt).toEqual([batches + 1]);
    expect(resumed.result).toEqual(straight);
    expect(weightsOf(resumed.model)).toEqual(straightWeights);
    expect(checkpointContents(resumedDir, ['best'])).toEqual(checkpointContents(straightDir, ['best']));
    expect(straight.history.map((r) => r.lr)).toEqual([5e-3 / 1, expect.any(Number), expect.any(Number)]);
    expect(straight.history[2]?.lr).toBeLessThan(straight.history[1]?.lr as number);
    expect(resumed.events[0]?.completed).toBe(batches + 2);
    resumed.model.dispose();
    expect(liveTensors()).toBe(before);
  });
});

describe('resuming checks the run is the same', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('refuses a checkpoint made with other settings, naming the setting; a missing checkpoint starts fresh', async () => {
    const windows = splitWindowsByFraction(slidingWindows(simulateAr([0.6], 200, 1), 4, 1), 0.1);
    const config = parseArnetConfig({ ar_order: 4 });
    const dir = join(root, 'arnet-other');
    const model = new ArnetModel(config, { rng: Rng.seeded(0) });
    expect(existsSync(dir)).toBe(false);
    await trainArnet(model, windows, { n_epoch: 2 }, { checkpoint: { dir, resume: true } });
    expect(JSON.parse(readFileSync(join(dir, 'training_state.json'), 'utf8')).step).toBe(2 * Math.floor(windows.train.n / 32));
    const error = await trainArnet(model, windows, { n_epoch: 3 }, { checkpoint: { dir, resume: true } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).path).toEqual(['train', 'n_epoch']);
    expect((error as Error).message).toMatch(/run to resume from .*arnet-other:\n  - train\.n_epoch: the checkpoint was trained with 2; got 3/);
    model.dispose();
  });
});
