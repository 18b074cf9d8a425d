import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { psnr, ssim } from '../src/eval/metrics.js';
import { copyLastFrame, firstFrameTracking, linearExtrapolation } from '../src/eval/baselines.js';
import { objectCoherence, objectPlacements, objectSpeeds, placementShift, spriteMatch, spritePlacement, type Placement } from '../src/eval/coherence.js';

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

  it("tracks the first given frame's object: placed where the last frame's is, moved on at its speed, reflected at the wall", () => {
    const frame = (pixels: [number, number, number][]) => {
      const f = new Float32Array(64);
      for (const [r, c, v] of pixels) f[r * 8 + c] = v;
      return f;
    };
    // 8 × 8 frames: the first a bright bar at row 1, the next two a dim one at row 4 moving a pixel right per frame.
    const context = Float32Array.from([...frame([[1, 1, 1], [1, 2, 1]]), ...frame([[4, 2, 0.5], [4, 3, 0.5]]), ...frame([[4, 3, 0.5], [4, 4, 0.5]])]);
    const tracked = firstFrameTracking(context, 3, 64, 5);
    const lit = (k: number) => Array.from(tracked.subarray(k * 64, (k + 1) * 64)).flatMap((v, i) => (v > 0.99 ? [[Math.floor(i / 8), i % 8]] : []));
    // The bright bar, on row 4: columns 4–5, 5–6, 6–7 (at the wall), then back 5–6, 4–5.
    expect([0, 1, 2, 3, 4].map(lit)).toEqual([4, 5, 6, 5, 4].map((c) => [[4, c], [4, c + 1]]));
    for (let k = 0; k < 5; k++) expect(tracked.subarray(k * 64, (k + 1) * 64).reduce((a, v) => a + v, 0)).toBeCloseTo(2, 6);
    expect(() => firstFrameTracking(context.subarray(0, 64), 1, 64, 2)).toThrow(/at least 2 context frames/);
  });
});

describe('object coherence', () => {
  const sprite = { size: 4, label: 0, pixels: Float32Array.from([0, 1, 1, 0, 1, 0.5, 0.5, 1, 1, 0.5, 0.5, 1, 0, 1, 1, 0]) };
  const place = (x: number, y: number, size = 8) => {
    const frame = new Float32Array(size * size);
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) frame[(y + r) * size + x + c] = sprite.pixels[r * 4 + c] as number;
    return frame;
  };

  it('finds the sprite wherever it is placed, and scores a blur of it lower', () => {
    for (const [x, y] of [[0, 0], [4, 4], [1, 3]] as const) expect(spriteMatch(place(x, y), 8, sprite)).toBeCloseTo(1, 10);
    // A 3×3 box blur of the sprite at (2, 2).
    const sharp = place(2, 2);
    const blurred = new Float32Array(64);
    for (let r = 0; r < 8; r++) {
      for (let c = 0; c < 8; c++) {
        let sum = 0;
        for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) sum += sharp[Math.min(7, Math.max(0, r + dr)) * 8 + Math.min(7, Math.max(0, c + dc))] as number;
        blurred[r * 8 + c] = sum / 9;
      }
    }
    expect(spriteMatch(blurred, 8, sprite)).toBeLessThan(0.8);
    // A faint copy correlates perfectly but is scored at its contrast: a third of it.
    expect(spriteMatch(place(2, 2).map((v) => v / 3), 8, sprite)).toBeCloseTo(1 / 3, 6);
    // A brighter copy is not rewarded beyond 1.
    expect(spriteMatch(place(2, 2).map((v) => v * 2), 8, sprite)).toBeCloseTo(1, 10);
    expect(spriteMatch(new Float32Array(64), 8, sprite)).toBe(0);
  });

  it('is the best normalised cross-correlation over placements, computed here by hand for a 2 × 2 sprite on a 3 × 3 frame', () => {
    const tiny = { size: 2, label: 0, pixels: Float32Array.from([1, 0, 0, 0]) };
    // Frame rows [1 0 0], [.5 0 0], [.5 0 0]. The template centred is [.75, −.25, −.25, −.25] (norm² .75).
    // Placement (0, 0), window [1, 0, .5, 0]: centred [.625, −.375, .125, −.375], norm² .6875, cross .625, contrast
    // factor √(.6875 / .75). Placement (0, 1), window [.5, 0, .5, 0]: centred [.25, −.25, .25, −.25], norm² .25,
    // cross .25 → 0.577 · √(.25 / .75). The right-hand placements are flat (skipped).
    const best = (0.625 / Math.sqrt(0.6875 * 0.75)) * Math.sqrt(0.6875 / 0.75);
    expect(spriteMatch([1, 0, 0, 0.5, 0, 0, 0.5, 0, 0], 3, tiny)).toBeCloseTo(best, 10);
    // The second item, [.5, 0, .5, 0], is the window at (0, 1) exactly.
    expect(objectCoherence([1, 0, 0, 0.5, 0, 0, 0.5, 0, 0], 3, [tiny, { ...tiny, pixels: Float32Array.from([0.5, 0, 0.5, 0]) }])).toBeCloseTo((best + 1) / 2, 10);
    expect(() => spriteMatch([0, 0, 0], 3, tiny)).toThrow(/3 values for a 3 × 3 frame/);
  });

  it('places each item where it is, and measures how far the placements moved', () => {
    expect(spritePlacement(place(1, 3), 8, sprite)).toEqual({ x: 1, y: 3, score: expect.closeTo(1, 10) });
    // Two items in one frame: the sprite at (4, 0) and its negative-free inverse at (0, 4).
    const inverse = { ...sprite, pixels: sprite.pixels.map((v) => 1 - v) };
    const frame = (a: [number, number], b: [number, number]) => {
      const f = place(a[0], a[1]);
      for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) f[(b[1] + r) * 8 + b[0] + c] = inverse.pixels[r * 4 + c] as number;
      return f;
    };
    const before = objectPlacements(frame([4, 0], [0, 4]), 8, [sprite, inverse]);
    expect(before.map(({ x, y }) => [x, y])).toEqual([[4, 0], [0, 4]]);
    // The first moves by (−3, +4) → 5 px, the second stays: a mean shift of 2.5 px.
    const after = objectPlacements(frame([1, 4], [0, 0]), 8, [sprite, inverse]);
    expect(after.map(({ x, y }) => [x, y])).toEqual([[1, 4], [0, 0]]);
    expect(placementShift(before, [after[0]!, before[1]!])).toBeCloseTo(2.5, 12);
    expect(placementShift(before, after)).toBeCloseTo((5 + 4) / 2, 12);
    expect(placementShift(before, before)).toBe(0);
  });

  it('speed is the displacement over the last few frames per frame: motion accumulates, a placement jumping back and forth cancels', () => {
    const at = (...xs: number[]): Placement[][] => xs.map((x) => [{ x, y: 0, score: 1 }]);
    // Steady motion at 1.5 px/frame reads 1.5 at every k, whatever the lag.
    expect(objectSpeeds(at(0, 1.5, 3, 4.5, 6, 7.5, 9))).toEqual([1.5, 1.5, 1.5, 1.5, 1.5, 1.5]);
    // A lost item's placement alternating between two lookalikes 3 px apart: frame to frame 3 px, over even lags 0.
    const jitter = at(0, 3, 0, 3, 0, 3, 0);
    expect(objectSpeeds(jitter, 1)).toEqual([3, 3, 3, 3, 3, 3]);
    // k = 1 … 3 look back to the last given frame (p₀): 3/1, 0/2, 3/3; then over 4 frames, an even count: 0.
    expect(objectSpeeds(jitter)).toEqual([3, 0, 1, 0, 0, 0]);
    // Jumping between three spots: over 4 frames the displacement is one hop's, a quarter of it per frame.
    expect(objectSpeeds(at(0, 3, 6, 0, 3, 6, 0))).toEqual([3, 3, 0, 0.75, 0.75, 1.5]);
    // Standing still is 0 at every k (the last given frame included).
    expect(objectSpeeds(at(2, 2, 2, 2, 2))).toEqual([0, 0, 0, 0]);
    expect(() => objectSpeeds(jitter, 0)).toThrow(/lag/);
  });
});
