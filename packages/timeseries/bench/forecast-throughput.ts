/**
 * Forecast throughput from the bundled demo checkpoints: point forecasts per second and sampled steps per second
 * (paths × horizon), AR-Net (batched rollout) and SpaceTime (closed loop + residual paths).
 * Run: npx tsx packages/timeseries/bench/forecast-throughput.ts  (prints JSON)
 */
import { initBackend, Rng } from '@nextx/core';
import { loadForecaster } from '../src/forecast/checkpoint.js';
import { DEMO_CHECKPOINTS } from '../src/demo.js';
import { machine, timeIt } from './machine.js';

await initBackend({ prefer: (process.env['BACKEND'] as 'wasm' | 'cpu' | undefined) ?? 'wasm' });
const rows = [];
for (const [name, dir] of Object.entries(DEMO_CHECKPOINTS)) {
  const { forecaster, history } = loadForecaster(dir);
  for (const horizon of [12, 48]) {
    const point = await timeIt(() => forecaster.forecast(history.values, horizon), 5);
    const samples = 1000;
    const paths = await timeIt(() => forecaster.samplePaths(history.values, horizon, samples, Rng.seeded(0)), 3);
    rows.push({ model: forecaster.name, checkpoint: name, horizon, pointMs: point.ms, pointsPerSecond: 1000 / point.ms, samples, pathsMs: paths.ms, sampledStepsPerSecond: (samples * horizon * 1000) / paths.ms });
    console.error(`${forecaster.name} h=${horizon}: point ${point.ms.toFixed(2)} ms, ${samples} paths ${paths.ms.toFixed(1)} ms`);
  }
  forecaster.model.dispose();
}
console.log(JSON.stringify({ bench: 'forecast-throughput', machine: machine(), rows }, null, 1));
