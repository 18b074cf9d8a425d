import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@nextx/core';
import { fitArnet } from '../../src/arnet/fit.js';
import { fitSpacetime } from '../../src/spacetime/fit.js';
import { seriesFromValues } from '../../src/data/series.js';
import { loadForecaster, saveForecaster } from '../../src/forecast/checkpoint.js';
import { forecastAll } from '../../src/forecast/generate.js';
import { plugin } from '../../src/plugin.js';
import { useBackend } from '../helpers/backends.js';
import { liveTensors } from '../helpers/memory.js';
import { testContext } from '../helpers/cli-context.js';

/** A seasonal series with noise: 10 + sin(2πt/12) + 0.1·ε. */
function seasonal(length: number, seed = 0): Float64Array {
  const rng = Rng.seeded(seed);
  return Float64Array.from({ length }, (_, t) => 10 + Math.sin((2 * Math.PI * t) / 12) + 0.1 * rng.normal());
}

const dir = () => mkdtempSync(join(tmpdir(), 'nextx-ts-ckpt-'));

describe('forecasting pipeline: fit, checkpoint, probabilistic forecast', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('AR-Net: a checkpoint reloads to the same forecasts; the same seed gives the same paths; tensors are released', async () => {
    const before = liveTensors();
    const s = seriesFromValues('y', seasonal(240));
    const { forecaster } = await fitArnet(s, { from: 0, to: 200 }, { model: { ar_order: 12, n_forecasts: 2 }, train: { n_epoch: 3, lr: 0.01 } });
    const ckpt = dir();
    saveForecaster(ckpt, forecaster, { history: { time: s.time, values: [s.values] }, seasonality: 12 });
    const loaded = loadForecaster(ckpt);
    const context = [s.values];
    expect(Array.from(loaded.forecaster.forecast(context, 5)[0] ?? [])).toEqual(Array.from(forecaster.forecast(context, 5)[0] ?? []));
    const a = await forecastAll(loaded.forecaster, { horizon: 5, samples: 60 }, context, { seed: 3 });
    const b = await forecastAll(forecaster, { horizon: 5, samples: 60 }, context, { seed: 3 });
    expect(a.seed).toBe(3);
    expect(a.paths[0]?.length).toBe(60);
    expect(a.paths[0]?.map((p) => Array.from(p))).toEqual(b.paths[0]?.map((p) => Array.from(p)));
    const summary = a.summary[0];
    summary?.median.forEach((m, j) => {
      expect(summary.quantiles[0]?.[j]).toBeLessThanOrEqual(m);
      expect(summary.quantiles.at(-1)?.[j]).toBeGreaterThanOrEqual(m);
    });
    // The forecast follows the season: one step ahead within 0.5 of the noiseless value.
    expect(Math.abs((a.point[0]?.[0] as number) - (10 + Math.sin((2 * Math.PI * 240) / 12)))).toBeLessThan(0.5);
    forecaster.model.dispose();
    loaded.forecaster.model.dispose();
    expect(liveTensors()).toBe(before);
  });

  it('refuses a context with a missing value, naming where it is', async () => {
    const s = seriesFromValues('y', seasonal(120));
    const { forecaster } = await fitArnet(s, { from: 0, to: 120 }, { model: { ar_order: 6 }, train: { n_epoch: 1 } });
    const context = Float64Array.from(s.values);
    context[117] = Number.NaN;
    expect(() => forecaster.forecast([context], 3)).toThrow("the context of 'y' has a missing value 3 steps before the forecast origin");
    forecaster.model.dispose();
  });

  it('SpaceTime on two series: the checkpoint reloads to the same forecasts and quantiles come from held-out errors', async () => {
    const before = liveTensors();
    const series = [seriesFromValues('a', seasonal(200, 1)), seriesFromValues('b', seasonal(200, 2))];
    const { forecaster } = await fitSpacetime(series, { from: 0, to: 200 }, { lag: 24, horizon: 6, sizes: { modelDim: 16, kernelDim: 4, extraBlocks: 0 }, train: { epochs: 1, batch_size: 64 } });
    expect(forecaster.channels).toBe(2);
    expect(forecaster.residuals.length).toBeGreaterThan(0);
    const ckpt = dir();
    saveForecaster(ckpt, forecaster, { history: { time: [], values: series.map((s) => s.values) }, seasonality: 12 });
    const loaded = loadForecaster(ckpt);
    const context = series.map((s) => s.values);
    const ours = forecaster.forecast(context, 6);
    const theirs = loaded.forecaster.forecast(context, 6);
    ours.forEach((o, c) => expect(Array.from(theirs[c] ?? [])).toEqual(Array.from(o)));
    // Longer than the trained horizon: a point forecast rolls on, samples need errors of that length.
    expect(loaded.forecaster.forecast(context, 12)[0]?.length).toBe(12);
    expect(() => loaded.forecaster.samplePaths(context, 12, 5, Rng.seeded(0))).toThrow(/forecast errors for 6 steps/);
    const paths = loaded.forecaster.samplePaths(context, 6, 8, Rng.seeded(0));
    expect(paths.map((p) => p.length)).toEqual([8, 8]);
    forecaster.model.dispose();
    loaded.forecaster.model.dispose();
    expect(liveTensors()).toBe(before);
  });
});

describe('CLI: nextx train / generate / eval timeseries/<model>', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  const csvFile = () => {
    const values = seasonal(180);
    const file = join(dir(), 'series.csv');
    writeFileSync(file, `month,value\n${Array.from(values, (v, t) => `${2000 + Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')},${v}`).join('\n')}\n`);
    return file;
  };

  it('trains AR-Net from a CSV, forecasts 48 steps with 100 samples into forecast.csv, and scores it', async () => {
    const csv = csvFile();
    const train = plugin.commands?.train?.['timeseries/arnet'];
    const generate = plugin.commands?.generate?.['timeseries/arnet'];
    const evaluate = plugin.commands?.eval?.['timeseries/arnet'];
    const context = testContext();
    const trained = (await train?.run({ csv, target: 'value', lag: '12', epochs: '2', batchSize: '16', test: '0.2', gap: '0', seed: '0', samples: '20', seasonality: '12', missing: 'mask' }, context)) as { checkpoint: string; scores: Array<{ model: string; mase: number }> };
    expect(trained.scores.map((s) => s.model)).toEqual(['AR-Net', 'naive', 'seasonal naive (m=12)', 'AR(12)']);
    const out = testContext();
    const result = (await generate?.run({ checkpoint: trained.checkpoint, horizon: '48', samples: '100', seed: '1' }, out)) as { csv: string; figure: string; seed: number };
    expect(Array.from(readFileSync(result.figure).subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    expect(readFileSync(join(context.out, 'coefficients.png')).length).toBeGreaterThan(1000);
    expect(readFileSync(join(context.out, 'test-forecast.png')).length).toBeGreaterThan(1000);
    const lines = readFileSync(result.csv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('series,step,point,median,q5,q25,q50,q75,q95');
    expect(lines.length).toBe(49);
    expect(result.seed).toBe(1);
    const scored = (await evaluate?.run({ checkpoint: trained.checkpoint, csv, target: 'value', horizon: '12', test: '0.2', samples: '10', missing: 'mask', seasonality: '12' }, testContext())) as { results: Array<{ model: string }> };
    expect(scored.results[0]?.model).toBe('AR-Net');
  });

  it('refuses bad options and missing values by name', async () => {
    const train = plugin.commands?.train?.['timeseries/arnet'];
    const file = join(dir(), 'gaps.csv');
    writeFileSync(file, 'date,value\n2000-01,1\n2000-02,\n2000-03,3\n');
    const base = { lag: '2', epochs: '1', batchSize: '1', test: '1', gap: '0', seed: '0', samples: '0' };
    await expect(train?.run({ ...base, csv: file, target: 'value', missing: 'refuse' }, testContext())).rejects.toThrow("gaps.csv row 3, column 'value': missing value");
    await expect(train?.run({ ...base, csv: file, target: 'value', lag: 'x', missing: 'mask' }, testContext())).rejects.toThrow("--lag must be an integer ≥ 1; got 'x'");
    await expect(train?.run({ ...base, missing: 'mask' }, testContext())).rejects.toThrow('give exactly one of --csv <file> and --dataset <name>');
  });
});
