import { describe, expect, it } from 'vitest';
import { brightnessBounds, brightnessCentroid, extrapolateFrames, shiftFrame } from '../src/model/global-motion.js';

/** A size × size frame, black but for `value` on the given cells. */
function frameWith(size: number, cells: readonly [number, number, number][]): Float32Array {
  const frame = new Float32Array(size * size);
  for (const [y, x, v] of cells) frame[y * size + x] = v;
  return frame;
}

describe('global motion (motion-compensated references)', () => {
  it('finds the centroid by squared intensity, and none in a black frame', () => {
    // Weights 1 at (1, 1) and 4 at (3, 2): row (1 + 12) / 5, column (1 + 8) / 5.
    const [row, column] = brightnessCentroid(frameWith(4, [[1, 1, 1], [3, 2, 2]]), 4) as [number, number];
    expect(row).toBeCloseTo(13 / 5, 6);
    expect(column).toBeCloseTo(9 / 5, 6);
    expect(brightnessCentroid(new Float32Array(16), 4)).toBeUndefined();
  });

  it('shifts by whole pixels exactly and by fractions bilinearly, black coming in from outside', () => {
    const frame = frameWith(4, [[1, 1, 1], [1, 2, 0.5]]);
    expect(Array.from(shiftFrame(frame, 4, 1, -1))).toEqual(Array.from(frameWith(4, [[2, 0, 1], [2, 1, 0.5]])));
    // Half a pixel right: each value spreads half onto its right neighbour.
    const half = shiftFrame(frame, 4, 0, 0.5);
    expect(Array.from(half.subarray(4, 8))).toEqual([0, 0.5, 0.75, 0.25]);
    // Off the edge: what leaves the frame is lost.
    expect(Array.from(shiftFrame(frame, 4, 0, 3)).every((v) => v === 0)).toBe(true);
  });

  it('moves the last frame on by j times the motion from the frame before it, clamped to S/8 per axis', () => {
    const previous = frameWith(16, [[4, 4, 1]]);
    const last = frameWith(16, [[5, 6, 1]]); // moved (1, 2)
    const [first, second] = extrapolateFrames(last, previous, 16, 2) as [Float32Array, Float32Array];
    expect(first[6 * 16 + 8]).toBeCloseTo(1, 6);
    expect(second[7 * 16 + 10]).toBeCloseTo(1, 6);
    // Without a previous frame, or from a black one: copies of the last.
    for (const none of [undefined, new Float32Array(256)]) expect(Array.from(extrapolateFrames(last, none, 16, 1)[0] as Float32Array)).toEqual(Array.from(last));
    // A jump of 6 px is followed at 2 px per frame (16 / 8).
    const far = extrapolateFrames(frameWith(16, [[4, 10, 1]]), previous, 16, 1)[0] as Float32Array;
    expect(far[4 * 16 + 12]).toBeCloseTo(1, 6);
  });

  it('bounds the object by the pixels at least a quarter of the brightest, and none in a black frame', () => {
    // 0.2 of the peak is haze, not object; 0.25 is object.
    const frame = frameWith(8, [[2, 3, 1], [5, 1, 0.25], [6, 7, 0.2]]);
    expect(brightnessBounds(frame, 8)).toEqual([[2, 5], [1, 3]]);
    expect(brightnessBounds(new Float32Array(64), 8)).toBeUndefined();
  });

  it("with edges 'bounce' reflects the object off the wall it would leave by, as the data's items bounce", () => {
    // A two-pixel-wide item at columns 12–13 of 16, come from 10–11: 2 px per frame to the right.
    const previous = frameWith(16, [[7, 10, 1], [7, 11, 1]]);
    const last = frameWith(16, [[7, 12, 1], [7, 13, 1]]);
    const columnsOf = (frame: Float32Array) => Array.from(frame.subarray(7 * 16, 8 * 16)).flatMap((v, x) => (v > 0.5 ? [x] : []));
    // Open edges: it reaches the wall, then leaves the frame.
    expect(extrapolateFrames(last, previous, 16, 3).map(columnsOf)).toEqual([[14, 15], [], []]);
    // Bouncing: lo 12 in a range of 16 − 1 − 1 = 14 goes 14, then folds back to 12 and 10.
    const bounced = extrapolateFrames(last, previous, 16, 3, 'bounce');
    expect(bounced.map(columnsOf)).toEqual([[14, 15], [12, 13], [10, 11]]);
    // Only the column moves: the row is left where it was, and the item keeps its brightness.
    for (const frame of bounced) expect(frame.reduce((a, v) => a + v, 0)).toBeCloseTo(2, 6);
  });

  it('with an appearance frame moves its object, placed at the centroid of the last, as the last would move', () => {
    // The appearance: a bright bar at row 2, columns 2–3 (centroid (2, 2.5)). The last frame: a dimmer bar at row 7,
    // columns 8–9 (centroid (7, 8.5)), come from columns 6–7: 2 px per frame to the right.
    const appearance = frameWith(16, [[2, 2, 1], [2, 3, 1]]);
    const previous = frameWith(16, [[7, 6, 0.5], [7, 7, 0.5]]);
    const last = frameWith(16, [[7, 8, 0.5], [7, 9, 0.5]]);
    const columnsOf = (frame: Float32Array) => Array.from(frame.subarray(7 * 16, 8 * 16)).flatMap((v, x) => (v > 0.9 ? [x] : []));
    // Placed by (5, 6), then 2 px per frame: columns 10–11, 12–13, 14–15, and bounced back to 12–13.
    const moved = extrapolateFrames(last, previous, 16, 4, 'bounce', appearance);
    expect(moved.map(columnsOf)).toEqual([[10, 11], [12, 13], [14, 15], [12, 13]]);
    // Its pixels are the appearance's (two of brightness 1), not the last's (two of 0.5).
    for (const frame of moved) expect(frame.reduce((a, v) => a + v, 0)).toBeCloseTo(2, 6);
    // A black appearance frame gives no object to place: the last frame is moved as without one.
    expect(extrapolateFrames(last, previous, 16, 2, 'bounce', new Float32Array(256))).toEqual(extrapolateFrames(last, previous, 16, 2, 'bounce'));
  });
});
