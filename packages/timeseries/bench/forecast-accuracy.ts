/**
 * Forecast accuracy on real series (vega-datasets): naive, seasonal naive, least-squares AR(p), AR-Net and SpaceTime
 * (nextx), and statsmodels' AutoReg and ETS run side by side on the same splits and origins (Debian's
 * python3-statsmodels, when installed). Prints JSON: MASE, sMAPE, MAE, RMSE and CRPS (100 sample paths) per dataset,
 * horizon and model. Run: npx tsx packages/timeseries/bench/forecast-accuracy.ts [--quick]
 */
import { spawnSync } from 'node:child_process';
import { machine } from './machine.js';
import { fileURLToPath } from 'node:url';
import { initBackend, type Rng } from '@nextx/core';
import { fitArnet } from '../src/arnet/fit.js';
import { fitSpacetime } from '../src/spacetime/fit.js';
import { readVegaDataset, type VegaDatasetName } from '../src/data/vega-datasets.js';
import { splitByTime } from '../src/data/split.js';
import type { Series } from '../src/data/series.js';
import { evaluateForecaster, forecastOrigins, type EvaluationResult } from '../src/forecast/evaluate.js';
import { LeastSquaresArForecaster, SeasonalNaiveForecaster } from '../src/forecast/baseline-forecasters.js';
import type { Forecaster } from '../src/forecast/forecaster.js';

interface Case {
  readonly dataset: VegaDatasetName;
  readonly series?: string;
  readonly horizons: readonly [number, number];
  readonly lag: number;
  readonly arnetEpochs: number;
  readonly spacetimeEpochs: number;
  readonly stride: number;
}

const QUICK = process.argv.includes('--quick');
const CASES: readonly Case[] = [
  { dataset: 'co2-concentration', horizons: [12, 24], lag: 36, arnetEpochs: 40, spacetimeEpochs: 15, stride: 1 },
  { dataset: 'seattle-weather', horizons: [7, 28], lag: 28, arnetEpochs: 20, spacetimeEpochs: 8, stride: 2 },
  { dataset: 'seattle-weather-hourly-normals', horizons: [24, 168], lag: 168, arnetEpochs: 10, spacetimeEpochs: 4, stride: 8 },
  { dataset: 'unemployment-across-industries', series: 'Construction', horizons: [6, 12], lag: 24, arnetEpochs: 60, spacetimeEpochs: 30, stride: 1 },
];
const SAMPLES = 100;
const MAX_ORIGINS = 20;

/** Forecasts made elsewhere (statsmodels), looked up by forecast origin (the context length). */
class PrecomputedForecaster implements Forecaster {
  readonly channels = 1;
  constructor(
    readonly name: string,
    readonly lag: number,
    private readonly byOrigin: Map<number, { point: number[]; paths: number[][] }>,
  ) {}
  private at(context: readonly ArrayLike<number>[]) {
    const found = this.byOrigin.get((context[0] as ArrayLike<number>).length);
    if (!found) throw new Error(`${this.name}: no forecast for origin ${(context[0] as ArrayLike<number>).length}`);
    return found;
  }
  forecast(context: readonly ArrayLike<number>[]): Float64Array[] {
    return [Float64Array.from(this.at(context).point)];
  }
  samplePaths(context: readonly ArrayLike<number>[], _h: number, samples: number, _rng: Rng): Float64Array[][] {
    return [this.at(context).paths.slice(0, samples).map((p) => Float64Array.from(p))];
  }
}

function findStatsmodelsPython(): string | undefined {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import statsmodels'], { encoding: 'utf8' });
    if (probe.status === 0) return python;
  }
  return undefined;
}

function runStatsmodels(python: string, tasks: unknown[]): { statsmodels: string; tasks: Array<{ id: string; autoreg: { point: number[][]; paths: number[][][]; seconds: number }; ets: { point: number[][]; paths: number[][][]; seconds: number; spec: unknown } }> } {
  const script = fileURLToPath(new URL('./statsmodels_forecasts.py', import.meta.url));
  const run = spawnSync(python, [script], { input: JSON.stringify({ tasks }), encoding: 'utf8', maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`statsmodels script failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

await initBackend({ prefer: 'wasm' });
const python = findStatsmodelsPython();
if (!python) console.error('python3-statsmodels is not installed (apt-get install python3-statsmodels): AutoReg and ETS are left out');
const results: Array<{ dataset: string; series: string; length: number; seasonality: number; horizon: number; origins: number; fitSeconds: Record<string, number>; models: EvaluationResult[] }> = [];

for (const c of QUICK ? CASES.slice(0, 1) : CASES) {
  const { series: all, dataset } = await readVegaDataset(c.dataset);
  const s = (c.series ? all.find((x) => x.name === c.series) : all[0]) as Series;
  const split = splitByTime(s.values.length, { test: 0.2 });
  const m = dataset.seasonality;
  const fitSeconds: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T> | T): Promise<T> => {
    const t = performance.now();
    const out = await f();
    fitSeconds[name] = (performance.now() - t) / 1000;
    return out;
  };
  const maxHorizon = Math.max(...c.horizons);
  const naive = SeasonalNaiveForecaster.fit(s, split.train, 1);
  const seasonal = SeasonalNaiveForecaster.fit(s, split.train, m);
  const ar = await timed(`AR(${c.lag})`, () => LeastSquaresArForecaster.fit(s, split.train, c.lag));
  const arnet = await timed('AR-Net', async () => (await fitArnet(s, split.train, { model: { ar_order: c.lag, n_forecasts: 1, sparsity: 0.5, use_reg_noise: true }, train: { n_epoch: QUICK ? 3 : c.arnetEpochs, lr: 0.01, seed: 0 } })).forecaster);
  const spacetime = await timed('SpaceTime', async () => (await fitSpacetime([s], split.train, { lag: c.lag, horizon: maxHorizon, stride: c.stride, train: { epochs: QUICK ? 1 : c.spacetimeEpochs, lr: 1e-2, seed: 0 } })).forecaster);
  const statsmodels = python
    ? runStatsmodels(
        python,
        c.horizons.map((h) => ({ id: String(h), values: Array.from(s.values), train_end: split.train.to, origins: forecastOrigins(split.test, h, MAX_ORIGINS), horizon: h, seasonality: m, lags: c.lag, samples: SAMPLES, seed: 0 })),
      )
    : undefined;
  for (const h of c.horizons) {
    const options = { horizon: h, insample: split.train, seasonality: m, samples: SAMPLES, maxOrigins: MAX_ORIGINS, seed: 0 };
    const origins = forecastOrigins(split.test, h, MAX_ORIGINS);
    const forecasters: Forecaster[] = [naive, seasonal, ar, arnet, spacetime];
    const task = statsmodels?.tasks.find((t) => t.id === String(h));
    if (task) {
      const lookup = (f: { point: number[][]; paths: number[][][] }) => new Map(origins.map((o, i) => [o, { point: f.point[i] as number[], paths: f.paths[i] as number[][] }]));
      forecasters.push(new PrecomputedForecaster(`statsmodels AutoReg(${c.lag})`, c.lag, lookup(task.autoreg)), new PrecomputedForecaster('statsmodels ETS (A,Ad,A)', 1, lookup(task.ets)));
      fitSeconds['statsmodels AutoReg'] = task.autoreg.seconds;
      fitSeconds['statsmodels ETS'] = task.ets.seconds;
    }
    results.push({ dataset: c.dataset, series: s.name, length: s.values.length, seasonality: m, horizon: h, origins: origins.length, fitSeconds, models: forecasters.map((f) => evaluateForecaster(f, [s], split.test, options)) });
    console.error(`${c.dataset} h=${h}: ${results.at(-1)?.models.map((r) => `${r.model} ${r.mase.toFixed(3)}`).join(', ')}`);
  }
  arnet.model.dispose();
  spacetime.model.dispose();
}

console.log(
  JSON.stringify(
    {
      bench: 'forecast-accuracy',
      machine: machine(),
      statsmodels: python ? 'python3-statsmodels (Debian)' : 'not installed',
      split: 'last 20% of each series held out; models fitted once on the first 80%; non-overlapping origins (≤ 20) over the test part',
      samples: SAMPLES,
      results,
    },
    null,
    1,
  ),
);
