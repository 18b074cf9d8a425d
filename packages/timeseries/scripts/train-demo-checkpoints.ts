/**
 * Trains the two small checkpoints `nextx demo` forecasts with (assets/co2-arnet, assets/co2-spacetime) on the whole
 * Mauna Loa CO₂ series of vega-datasets, and prints their scores on the last 20% when fitted without it (the same
 * settings). Run: npx tsx packages/timeseries/scripts/train-demo-checkpoints.ts
 */
import { fileURLToPath } from 'node:url';
import { initBackend } from '@nextx/core';
import { fitArnet } from '../src/arnet/fit.js';
import { fitSpacetime } from '../src/spacetime/fit.js';
import { readVegaDataset } from '../src/data/vega-datasets.js';
import { splitByTime, type Range } from '../src/data/split.js';
import { saveForecaster } from '../src/forecast/checkpoint.js';
import { compareOnTest } from '../src/cli/compare.js';

await initBackend({ prefer: 'wasm' });
const { series, dataset } = await readVegaDataset('co2-concentration');
const co2 = series[0]!;
const whole: Range = { from: 0, to: co2.values.length };
const split = splitByTime(co2.values.length, { test: 0.2 });
const HORIZON = 48;
const arnetOptions = { model: { ar_order: 24, n_forecasts: 1, sparsity: 0.5, use_reg_noise: true }, train: { n_epoch: 40, lr: 0.01, train_bs: 32, seed: 0 } };
const spacetimeOptions = { lag: 48, horizon: HORIZON, train: { epochs: 15, lr: 2e-3, batch_size: 32, seed: 0 } };
const history = { time: co2.time, values: [co2.values] };
const meta = { history, seasonality: dataset.seasonality, source: 'vega-datasets/co2-concentration.csv' };

for (const [name, fit] of [
  ['arnet', (range: Range) => fitArnet(co2, range, arnetOptions).then((r) => r.forecaster)],
  ['spacetime', (range: Range) => fitSpacetime([co2], range, spacetimeOptions).then((r) => r.forecaster)],
] as const) {
  const started = performance.now();
  const held = await fit(split.train);
  const scores = await compareOnTest(held, { series: [co2], seasonality: dataset.seasonality }, split, { horizon: HORIZON, samples: 100 });
  console.log(`${name}: fitted on the first 80% in ${((performance.now() - started) / 1000).toFixed(1)} s\n${scores.table}`);
  held.model.dispose();
  const full = await fit(whole);
  const dir = fileURLToPath(new URL(`../assets/co2-${name}/`, import.meta.url));
  saveForecaster(dir, full, { ...meta, fitted: { range: whole, options: name === 'arnet' ? arnetOptions : spacetimeOptions, heldOutScores: scores.results } });
  full.model.dispose();
  console.log(`wrote ${dir}`);
}
