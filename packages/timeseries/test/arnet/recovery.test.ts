import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@nextx/core';
import { ArnetModel } from '../../src/arnet/model.js';
import { parseArnetConfig } from '../../src/arnet/config.js';
import { trainArnet } from '../../src/arnet/train.js';
import { estimateNoise, slidingWindows, splitWindowsByFraction } from '../../src/data/windows.js';
import { fitLeastSquaresAr } from '../../src/baselines/least-squares-ar.js';
import { useBackend } from '../helpers/backends.js';
import { liveTensors } from '../helpers/memory.js';
import { simulateAr } from '../helpers/simulate.js';

// The stated tolerance: every learned coefficient within 0.05 of the true one (3000 values, unit noise: the
// least-squares standard error is ≈ 0.02).
const TOLERANCE = 0.05;

async function fit(phi: readonly number[], order: number, sparsity: number | null): Promise<number[]> {
  const series = simulateAr(phi, 3000, 11);
  const config = parseArnetConfig({ ar_order: order, n_forecasts: 1, sparsity, use_reg_noise: true, est_noise: estimateNoise(series) });
  const model = new ArnetModel(config, { rng: Rng.seeded(0) });
  const windows = splitWindowsByFraction(slidingWindows(series, order, 1), 0.1);
  await trainArnet(model, windows, { n_epoch: 10, lr: 0.01, train_bs: 32, seed: 0 });
  const coeff = model.coefficients()[0] as number[];
  model.dispose();
  return coeff;
}

describe('AR-Net recovers the coefficients of simulated AR processes', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('sparse AR: an AR(8) with 3 non-zero lags, fitted with p = 16 and the sparsity regulariser', async () => {
    const phi = [0.55, 0, 0, -0.3, 0, 0, 0, 0.2];
    const before = liveTensors();
    const coeff = await fit(phi, 16, 0.2);
    const truth = [...phi, ...new Array(8).fill(0)];
    coeff.forEach((c, k) => expect(Math.abs(c - (truth[k] as number)), `lag ${k + 1}: ${c} vs ${truth[k]}`).toBeLessThan(TOLERANCE));
    expect(liveTensors()).toBe(before);
  });

  it('dense AR: an AR(4), fitted with p = 4 and no regulariser, as close as least squares', async () => {
    const phi = [0.4, -0.2, 0.15, 0.1];
    const coeff = await fit(phi, 4, null);
    coeff.forEach((c, k) => expect(Math.abs(c - (phi[k] as number)), `lag ${k + 1}: ${c} vs ${phi[k]}`).toBeLessThan(TOLERANCE));
    const ls = fitLeastSquaresAr(simulateAr(phi, 3000, 11), 4);
    coeff.forEach((c, k) => expect(Math.abs(c - (ls.coefficients[k] as number))).toBeLessThan(TOLERANCE / 2));
  });
});
