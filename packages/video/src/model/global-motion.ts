/**
 * Global-motion compensation on host frames (row-major S × S intensities): the frame the last two frames predict
 * under constant velocity, as a video codec's motion-compensated reference — what a 'motion-compensated' model's
 * residual is taken against (config.motionCompensation).
 */

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

/**
 * The next `count` frames under constant velocity: `last` moved by j·(c_last − c_previous) for j = 1 … count, c the
 * brightness centroids, the displacement per frame clamped to S/8 pixels per axis. Without a previous frame (or with
 * a black one) the velocity is zero: copies of `last`.
 */
export function extrapolateFrames(last: ArrayLike<number>, previous: ArrayLike<number> | undefined, size: number, count: number): Float32Array[] {
  const now = brightnessCentroid(last, size);
  const before = previous ? brightnessCentroid(previous, size) : undefined;
  const limit = size * MAX_SHIFT_PER_SIDE;
  const clamp = (v: number) => Math.max(-limit, Math.min(limit, v));
  const [vy, vx] = now && before ? [clamp(now[0] - before[0]), clamp(now[1] - before[1])] : [0, 0];
  return Array.from({ length: count }, (_, j) => shiftFrame(last, size, (j + 1) * vy, (j + 1) * vx));
}
