/**
 * Global-motion compensation on host frames (row-major S × S intensities): the frame the last two frames predict
 * under constant velocity, as a video codec's motion-compensated reference — what a 'motion-compensated' model's
 * residual is taken against (config.motionCompensation).
 */

import { bounce } from '../geometry/bounce.js';

/**
 * What the extrapolated object does at the frame's edges: 'open' — it moves on and out of the frame; 'bounce' — it is
 * reflected off the walls as the moving-objects data's items are (its bright extent kept inside the frame).
 */
export type MotionEdges = 'open' | 'bounce';

/** The largest displacement per frame the extrapolation follows, in pixels per side of the frame (S/8). */
export const MAX_SHIFT_PER_SIDE = 1 / 8;

/**
 * The centroid (row, column) of a frame weighted by squared intensity — squared so that a dim haze of the background
 * pulls it less than the bright object; undefined for a black frame.
 */
export function brightnessCentroid(frame: ArrayLike<number>, size: number): [number, number] | undefined {
  let mass = 0;
  let row = 0;
  let column = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const w = (frame[y * size + x] as number) ** 2;
      mass += w;
      row += w * y;
      column += w * x;
    }
  }
  return mass > 1e-6 ? [row / mass, column / mass] : undefined;
}

/** The frame moved by (dy, dx) pixels, bilinearly (out[y, x] = frame[y − dy, x − dx]); black where it comes from outside. */
export function shiftFrame(frame: ArrayLike<number>, size: number, dy: number, dx: number): Float32Array {
  const out = new Float32Array(size * size);
  const at = (y: number, x: number) => (y >= 0 && y < size && x >= 0 && x < size ? (frame[y * size + x] as number) : 0);
  for (let y = 0; y < size; y++) {
    const sy = y - dy;
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    for (let x = 0; x < size; x++) {
      const sx = x - dx;
      const x0 = Math.floor(sx);
      const fx = sx - x0;
      const top = (1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1);
      const bottom = (1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1);
      out[y * size + x] = (1 - fy) * top + fy * bottom;
    }
  }
  return out;
}

/** Pixels at least this fraction of the frame's brightest count as the object for its extent (brightnessBounds). */
const OBJECT_LEVEL = 0.25;

/**
 * The extent of a frame's bright object: per axis (row, column) the first and last index holding a pixel at least a
 * quarter of the brightest; undefined for a black frame.
 */
export function brightnessBounds(frame: ArrayLike<number>, size: number): [[number, number], [number, number]] | undefined {
  let peak = 0;
  for (let i = 0; i < size * size; i++) peak = Math.max(peak, frame[i] as number);
  if (peak <= 1e-3) return undefined;
  const rows: [number, number] = [size, -1];
  const columns: [number, number] = [size, -1];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if ((frame[y * size + x] as number) < OBJECT_LEVEL * peak) continue;
      rows[0] = Math.min(rows[0], y);
      rows[1] = Math.max(rows[1], y);
      columns[0] = Math.min(columns[0], x);
      columns[1] = Math.max(columns[1], x);
    }
  }
  return [rows, columns];
}

/**
 * The next `count` frames under constant velocity: `last` moved by j·(c_last − c_previous) for j = 1 … count, c the
 * brightness centroids, the displacement per frame clamped to S/8 pixels per axis. Without a previous frame (or with
 * a black one) the velocity is zero: copies of `last`. With edges 'bounce', an axis's displacement is folded so that
 * the object's extent [lo, hi] stays within the frame: d_j = bounce(lo + j·v, S − 1 − (hi − lo)) − lo.
 * With an `appearance` frame (a long-term reference), that frame is what is moved instead of `last`: first placed so
 * that its centroid is last's, then moved on as `last` would be — last's position and motion, appearance's pixels.
 */
export function extrapolateFrames(
  last: ArrayLike<number>,
  previous: ArrayLike<number> | undefined,
  size: number,
  count: number,
  edges: MotionEdges = 'open',
  appearance?: ArrayLike<number>,
): Float32Array[] {
  const now = brightnessCentroid(last, size);
  const before = previous ? brightnessCentroid(previous, size) : undefined;
  const limit = size * MAX_SHIFT_PER_SIDE;
  const clamp = (v: number) => Math.max(-limit, Math.min(limit, v));
  const [vy, vx] = now && before ? [clamp(now[0] - before[0]), clamp(now[1] - before[1])] : [0, 0];
  const { source, offset } = placedAppearance(last, now, appearance, size);
  const bounds = edges === 'bounce' ? brightnessBounds(source, size) : undefined;
  const displacement = (free: number, axis: 0 | 1) => {
    if (!bounds) return free;
    const [lo, hi] = bounds[axis];
    const placed = lo + offset[axis];
    return bounce(placed + free, size - 1 - (hi - lo)) - placed;
  };
  return Array.from({ length: count }, (_, j) => shiftFrame(source, size, offset[0] + displacement((j + 1) * vy, 0), offset[1] + displacement((j + 1) * vx, 1)));
}

/**
 * The frame extrapolateFrames moves and the shift that first puts it where `last`'s object is: `appearance` moved by
 * c_last − c_appearance, or `last` itself (no shift) without one — or where either frame is black.
 */
function placedAppearance(
  last: ArrayLike<number>,
  now: [number, number] | undefined,
  appearance: ArrayLike<number> | undefined,
  size: number,
): { source: ArrayLike<number>; offset: [number, number] } {
  const from = appearance ? brightnessCentroid(appearance, size) : undefined;
  if (!appearance || !now || !from) return { source: last, offset: [0, 0] };
  return { source: appearance, offset: [now[0] - from[0], now[1] - from[1]] };
}
