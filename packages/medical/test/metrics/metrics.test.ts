import { describe, expect, it } from 'vitest';
import { InputError } from '@nextx/core';
import { evaluateVolume, nmse, psnr, ssim, type Volume } from '../../src/index.js';
import { reference, stored, type StoredArray } from '../helpers/fastmri-reference.js';

const volume = (a: StoredArray): Volume => ({ data: stored(a), shape: a.shape as [number, number, number] });

describe('fastMRI metrics', () => {
  it.each(reference.metrics.map((c) => [c.name, c] as const))('equal fastMRI/scikit-image on %s', (_, c) => {
    const target = volume(c.target);
    const prediction = volume(c.prediction);
    expect(nmse(target, prediction)).toBeCloseTo(c.nmse, 12);
    expect(Math.abs(psnr(target, prediction) - c.psnr)).toBeLessThan(1e-9);
    expect(Math.abs(ssim(target, prediction) - c.ssim)).toBeLessThan(1e-9);
    expect(evaluateVolume(target, prediction).ssim).toBe(ssim(target, prediction));
  });

  it('SSIM of a volume with itself is 1, NMSE 0', () => {
    const c = reference.metrics[0]!;
    const target = volume(c.target);
    expect(ssim(target, target)).toBeCloseTo(1, 12);
    expect(nmse(target, target)).toBe(0);
  });

  it('refuses mismatched shapes and images smaller than the window, naming them', () => {
    const a: Volume = { data: new Float32Array(2 * 8 * 8), shape: [2, 8, 8] };
    const b: Volume = { data: new Float32Array(2 * 8 * 9), shape: [2, 8, 9] };
    expect(() => ssim(a, b)).toThrow(InputError);
    expect(() => ssim(a, b)).toThrow(/SSIM: target \[2, 8, 8\] and prediction \[2, 8, 9\] differ in shape/);
    expect(() => psnr(a, { data: new Float32Array(3), shape: [2, 8, 8] })).toThrow(/prediction has 3 values but shape \[2, 8, 8\] needs 128/);
    const small: Volume = { data: new Float32Array(25), shape: [1, 5, 5] };
    expect(() => ssim(small, small)).toThrow(/smaller than the 7×7 window/);
  });
});
