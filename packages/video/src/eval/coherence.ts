import { InputError } from '@nextx/core';
import type { Sprite } from '../data/sprites.js';

/**
 * How well `sprite` is present anywhere in a size × size frame, at its own contrast: over every integer placement
 * inside the canvas (where the data's objects live), the normalised cross-correlation of the sprite with the
 * sprite-sized window, times min(1, σ_window / σ_sprite) — so a faint ghost of the item does not pass for it (the
 * correlation alone ignores scale) — and the best placement's score. 1 for the sprite itself at an integer position,
 * near 1 at a fractional one or partly occluded, low for a blur, a blob or a fading copy; 0 where the frame is flat.
 */
export function spriteMatch(frame: ArrayLike<number>, size: number, sprite: Sprite): number {
  const s = sprite.size;
  if (frame.length !== size * size) throw new InputError(`spriteMatch: ${frame.length} values for a ${size} × ${size} frame`);
  if (s > size) throw new InputError(`spriteMatch: a ${s}-pixel sprite does not fit a ${size}-pixel frame`);
  const n = s * s;
  const template = Float64Array.from(sprite.pixels);
  const templateMean = template.reduce((a, b) => a + b, 0) / n;
  let templateNorm = 0;
  for (let i = 0; i < n; i++) {
    template[i] = (template[i] as number) - templateMean;
    templateNorm += (template[i] as number) ** 2;
  }
  if (templateNorm === 0) return 0;
  let best = 0;
  for (let y = 0; y <= size - s; y++) {
    for (let x = 0; x <= size - s; x++) {
      let sum = 0;
      let sumSquares = 0;
      let cross = 0;
      for (let r = 0; r < s; r++) {
        for (let c = 0; c < s; c++) {
          const v = frame[(y + r) * size + x + c] as number;
          sum += v;
          sumSquares += v * v;
          cross += v * (template[r * s + c] as number);
        }
      }
      // Σ(w − w̄)(t − t̄) = Σ w·(t − t̄), since Σ(t − t̄) = 0.
      const windowNorm = sumSquares - (sum * sum) / n;
      if (windowNorm > 1e-12) best = Math.max(best, (cross / Math.sqrt(windowNorm * templateNorm)) * Math.min(1, Math.sqrt(windowNorm / templateNorm)));
    }
  }
  return best;
}

/**
 * Object coherence of a frame: the mean over the sequence's objects of spriteMatch — whether the frame still shows
 * those items, wherever they are. Position-blind on purpose: it measures what PSNR and SSIM cannot at long horizons,
 * where any placement error dominates them (the true frames score the ceiling, below 1 when objects overlap).
 */
export function objectCoherence(frame: ArrayLike<number>, size: number, sprites: readonly Sprite[]): number {
  if (sprites.length === 0) throw new InputError('objectCoherence: no sprites to look for');
  return sprites.reduce((sum, sprite) => sum + spriteMatch(frame, size, sprite), 0) / sprites.length;
}
