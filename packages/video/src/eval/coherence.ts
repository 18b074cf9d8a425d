import { InputError } from '@nextx/core';
import type { Sprite } from '../data/sprites.js';

/** Where a sprite fits a frame best: the window's top-left corner and its score. */
export interface Placement {
  readonly x: number;
  readonly y: number;
  readonly score: number;
}

/**
 * How well `sprite` is present anywhere in a size × size frame, at its own contrast: over every integer placement
 * inside the canvas (where the data's objects live), the normalised cross-correlation of the sprite with the
 * sprite-sized window, times min(1, σ_window / σ_sprite) — so a faint ghost of the item does not pass for it (the
 * correlation alone ignores scale) — and the best placement's score. 1 for the sprite itself at an integer position,
 * near 1 at a fractional one or partly occluded, low for a blur, a blob or a fading copy; 0 where the frame is flat.
 */
export function spriteMatch(frame: ArrayLike<number>, size: number, sprite: Sprite): number {
  return spritePlacement(frame, size, sprite).score;
}

/** The best placement of spriteMatch (the first in row-major order among equals; x = y = 0 with score 0 on a flat frame). */
export function spritePlacement(frame: ArrayLike<number>, size: number, sprite: Sprite): Placement {
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
  if (templateNorm === 0) return { x: 0, y: 0, score: 0 };
  let best: Placement = { x: 0, y: 0, score: 0 };
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
      if (windowNorm <= 1e-12) continue;
      const score = (cross / Math.sqrt(windowNorm * templateNorm)) * Math.min(1, Math.sqrt(windowNorm / templateNorm));
      if (score > best.score) best = { x, y, score };
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
  return meanScore(objectPlacements(frame, size, sprites));
}

/** spritePlacement of each of the sequence's objects. */
export function objectPlacements(frame: ArrayLike<number>, size: number, sprites: readonly Sprite[]): Placement[] {
  if (sprites.length === 0) throw new InputError('objectCoherence: no sprites to look for');
  return sprites.map((sprite) => spritePlacement(frame, size, sprite));
}

/** objectCoherence from a frame's placements. */
export function meanScore(placements: readonly Placement[]): number {
  return placements.reduce((sum, p) => sum + p.score, 0) / placements.length;
}

/**
 * How far the objects' best placements moved between two frames, in pixels (Euclidean, mean over the objects): the
 * items' speed where they are found — a stalled item scores 0 while its coherence stays high; a lost one's placement
 * jumps to wherever the frame best resembles it.
 */
export function placementShift(before: readonly Placement[], after: readonly Placement[]): number {
  return before.reduce((sum, p, i) => sum + Math.hypot((after[i] as Placement).x - p.x, (after[i] as Placement).y - p.y), 0) / before.length;
}

/** Frames over which objectSpeeds measures each displacement. */
export const SPEED_LAG = 4;

/**
 * The items' speed at each predicted frame k = 1 … H from their placements [p₀ (the last given frame), p₁ … p_H]:
 * placementShift(p_{k−n}, p_k) / n with n = min(k, lag), in pixels per frame. Over several frames a moving item's
 * displacement accumulates while a lost item's placement, jumping back and forth between lookalikes, mostly cancels
 * (a bounce shortens a true displacement too, the truth's alike).
 */
export function objectSpeeds(placements: readonly (readonly Placement[])[], lag = SPEED_LAG): number[] {
  if (!Number.isInteger(lag) || lag < 1) throw new InputError(`objectSpeeds: lag must be a positive integer (got ${lag})`);
  return placements.slice(1).map((placed, i) => {
    const n = Math.min(i + 1, lag);
    return placementShift(placements[i + 1 - n] as Placement[], placed) / n;
  });
}
