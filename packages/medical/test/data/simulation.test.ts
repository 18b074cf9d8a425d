import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@nextx/core';
import { brainSlicesOf, randomEllipsePhantom, readNiftiVolume, resampleArea, sheppLogan, simulateAcquisition, splitByRegion } from '../../src/index.js';
import { useBackend } from '../helpers/backends.js';

beforeAll(() => useBackend('cpu'));

describe('phantoms', () => {
  it('modified Shepp–Logan has its tabulated intensities', () => {
    const n = 200;
    const p = sheppLogan(n);
    const at = (x: number, y: number) => p.data[Math.floor(((1 - y) * n) / 2) * n + Math.floor(((x + 1) * n) / 2)];
    expect(at(0, 0)).toBeCloseTo(0.2, 6); // 1 − 0.8
    expect(at(0, 0.35)).toBeCloseTo(0.3, 6); // + ellipse 5
    expect(at(0.22, 0)).toBeCloseTo(0, 6); // ellipse 3 (−0.2)
    expect(at(0, 0.9)).toBeCloseTo(1, 6); // the skull rim: only ellipse 1
    expect(at(0.95, 0.95)).toBe(0);
  });

  it('random ellipse phantoms are seeded and lie in [0, 1]', () => {
    const a = randomEllipsePhantom(32, Rng.seeded(5));
    const b = randomEllipsePhantom(32, Rng.seeded(5));
    const c = randomEllipsePhantom(32, Rng.seeded(6));
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
    expect(Math.min(...a.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a.data)).toBeLessThanOrEqual(1);
  });
});

describe('acquisition simulation', () => {
  it('without noise the RSS target is the magnitude (Σ|S|² = 1), and the k-space has the coils', () => {
    const image = sheppLogan(24);
    const acq = simulateAcquisition(image, { numCoils: 4, noise: 0 }, Rng.seeded(1));
    expect(acq.kspace.shape).toEqual([4, 24, 24]);
    acq.target.data.forEach((v, p) => expect(v).toBeCloseTo(image.data[p] as number, 5));
    acq.image.re.forEach((r, p) => expect(Math.hypot(r, acq.image.im[p] as number)).toBeCloseTo(image.data[p] as number, 5));
  });

  it('adds complex noise of the given level', () => {
    const image = { data: new Float32Array(32 * 32).fill(1), height: 32, width: 32 };
    const acq = simulateAcquisition(image, { numCoils: 2, noise: 0.05, phase: 0 }, Rng.seeded(2));
    const clean = simulateAcquisition(image, { numCoils: 2, noise: 0, phase: 0 }, Rng.seeded(2));
    let sum = 0;
    acq.kspace.re.forEach((v, i) => (sum += (v - (clean.kspace.re[i] as number)) ** 2));
    expect(Math.sqrt(sum / acq.kspace.re.length)).toBeCloseTo(0.05, 2);
  });
});

describe('brain slices and splits', () => {
  it('area resampling keeps the mean and halves by block means', () => {
    const img = { data: Float32Array.from({ length: 16 }, (_, i) => i), height: 4, width: 4 };
    const half = resampleArea(img, 2, 2);
    expect(Array.from(half.data)).toEqual([2.5, 4.5, 10.5, 12.5]);
  });

  it('square crops of a NIfTI volume, normalised, and a region split with gaps', () => {
    const volume = readNiftiVolume(new URL('../fixtures/file-formats/colin27-crop.nii.gz', import.meta.url).pathname);
    const slices = brainSlicesOf(volume, 8, 0.05, 0);
    expect(slices.images).toHaveLength(3);
    expect(slices.images[0]!.data).toHaveLength(64);
    expect(Math.max(...slices.images.flatMap((i) => Array.from(i.data)))).toBeLessThanOrEqual(1);
    const zs = Array.from({ length: 200 }, (_, i) => i);
    const split = splitByRegion(zs, 0.5, { gapMm: 5 });
    const all = [...split.train, ...split.validation, ...split.test];
    expect(new Set(all).size).toBe(all.length);
    const gap = (a: readonly number[], b: readonly number[]) => Math.min(...a.flatMap((i) => b.map((j) => Math.abs(i - j))));
    expect(gap(split.train, split.test) * 0.5).toBeGreaterThan(5);
    expect(gap(split.train, split.validation) * 0.5).toBeGreaterThan(5);
    expect(split.test.length).toBe(20);
  });
});
