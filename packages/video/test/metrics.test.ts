import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { psnr, ssim } from '../src/eval/metrics.js';
import { copyLastFrame, linearExtrapolation } from '../src/eval/baselines.js';

interface Case {
  height: number;
  width: number;
  kind: string;
  a: number[];
  b: number[];
  ssim: number;
  psnr: number;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/ssim/ssim-cases.json', import.meta.url), 'utf8')) as { source: string; cases: Case[] };

describe('PSNR and SSIM', () => {
  it.each(fixture.cases.map((c) => [`${c.height}×${c.width} ${c.kind}`, c] as const))('match scikit-image on %s', (_, c) => {
    expect(ssim(c.a, c.b, c.height, c.width)).toBeCloseTo(c.ssim, 10);
    expect(psnr(c.a, c.b)).toBeCloseTo(c.psnr, 10);
  });

  it('are perfect for identical images and refuse mismatched ones', () => {
    const a = Array.from({ length: 256 }, (_, i) => (i % 7) / 7);
    expect(ssim(a, a, 16, 16)).toBeCloseTo(1, 12);
    expect(psnr(a, a)).toBe(Infinity);
    expect(() => ssim(a, a.slice(1), 16, 16)).toThrow(/differ in size/);
    expect(() => ssim(a.slice(0, 100), a.slice(0, 100), 10, 10)).toThrow(/larger than 11/);
  });
});

describe('baselines', () => {
  it('copy the last frame, or extrapolate the last two linearly, clipped to [0, 1]', () => {
    const context = Float32Array.from([0.2, 0.5, 0.3, 0.9]); // two frames of two pixels
    expect(Array.from(copyLastFrame(context, 2, 2, 3))).toEqual(Array.from(Float32Array.from([0.3, 0.9, 0.3, 0.9, 0.3, 0.9])));
    const linear = linearExtrapolation(context, 2, 2, 3);
    // frame k: last + k·(last − previous): [0.4, 1.3→1], [0.5, 1.7→1], [0.6, 2.1→1]
    [0.4, 1, 0.5, 1, 0.6, 1].forEach((v, i) => expect(linear[i]).toBeCloseTo(v, 6));
  });
});
