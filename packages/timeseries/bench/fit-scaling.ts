/**
 * Fit time against the lag order p (8 … 512): AR-Net (the same number of epochs at every p) and least-squares AR(p)
 * (normal equations, O(n·p²) to build and O(p³) to solve) on one simulated series — the AR-Net paper's claim that its
 * cost grows about linearly in p while classic AR fitting grows much faster, measured.
 * Run: npx tsx packages/timeseries/bench/fit-scaling.ts  (prints JSON)
 */
import { initBackend, Rng, tf } from '@nextx/core';
import { ArnetModel } from '../src/arnet/model.js';
import { parseArnetConfig } from '../src/arnet/config.js';
import { trainArnet } from '../src/arnet/train.js';
import { fitLeastSquaresAr } from '../src/baselines/least-squares-ar.js';
import { slidingWindows, splitWindowsByFraction } from '../src/data/windows.js';
import { machine, timeIt } from './machine.js';

await initBackend({ prefer: (process.env['BACKEND'] as 'wasm' | 'cpu' | undefined) ?? 'wasm' });
const LENGTH = 6000;
const EPOCHS = 2;
const rng = Rng.seeded(0);
const series = new Float64Array(LENGTH);
for (let t = 0; t < LENGTH; t++) series[t] = (t > 0 ? 0.6 * (series[t - 1] as number) : 0) + (t > 7 ? -0.2 * (series[t - 8] as number) : 0) + rng.normal();

const rows = [];
for (const p of [8, 16, 32, 64, 128, 256, 512]) {
  const windows = splitWindowsByFraction(slidingWindows(series, p, 1), 0);
  const arnet = await timeIt(async () => {
    const model = new ArnetModel(parseArnetConfig({ ar_order: p, sparsity: 0.1, est_noise: 1 }), { rng: Rng.seeded(0) });
    await trainArnet(model, { train: windows.train }, { n_epoch: EPOCHS, lr: 0.01, train_bs: 32 });
    model.dispose();
  }, 1);
  const ls = await timeIt(() => fitLeastSquaresAr(series, p), 1);
  rows.push({ p, windows: windows.train.n, arnetMs: arnet.ms, arnetCpuMs: arnet.cpuMs, leastSquaresMs: ls.ms, leastSquaresCpuMs: ls.cpuMs });
  console.error(`p=${p}: AR-Net ${arnet.ms.toFixed(0)} ms, least squares ${ls.ms.toFixed(0)} ms`);
}
console.log(JSON.stringify({ bench: 'fit-scaling', machine: machine(), series: LENGTH, arnet: { epochs: EPOCHS, batch: 32, optimizer: 'fastai Adam, one cycle' }, tensors: tf.memory().numTensors, rows }, null, 1));
