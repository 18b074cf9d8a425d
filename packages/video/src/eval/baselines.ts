import { InputError } from '@nextx/core';
import { extrapolateFrames } from '../model/global-motion.js';

/** The last of `frames` context frames (each `plane` values) repeated `horizon` times: "nothing moves". */
export function copyLastFrame(context: Float32Array, frames: number, plane: number, horizon: number): Float32Array {
  checkContext(context, frames, plane, 1);
  const last = context.subarray((frames - 1) * plane, frames * plane);
  const out = new Float32Array(horizon * plane);
  for (let k = 0; k < horizon; k++) out.set(last, k * plane);
  return out;
}

/** Pixel-wise linear extrapolation of the last two frames: f(t + k) = f(t) + k·(f(t) − f(t − 1)), clipped to [0, 1]. */
export function linearExtrapolation(context: Float32Array, frames: number, plane: number, horizon: number): Float32Array {
  checkContext(context, frames, plane, 2);
  const out = new Float32Array(horizon * plane);
  const last = (frames - 1) * plane;
  const before = (frames - 2) * plane;
  for (let k = 1; k <= horizon; k++) {
    for (let i = 0; i < plane; i++) {
      const v = (context[last + i] as number) + k * ((context[last + i] as number) - (context[before + i] as number));
      out[(k - 1) * plane + i] = Math.min(1, Math.max(0, v));
    }
  }
  return out;
}

/**
 * A hand-made tracker, nothing learned: each next frame is the first given frame's object placed where the frame
 * before is and moved on by the centroid step of the last two, reflected off the walls (extrapolateFrames with edges
 * 'bounce' and the first frame as appearance), rolled out on its own frames one at a time — what a model with a
 * 'first-frame' motion reference predicts with a zero head and a lossless autoencoder. Square frames.
 */
export function firstFrameTracking(context: Float32Array, frames: number, plane: number, horizon: number): Float32Array {
  checkContext(context, frames, plane, 2);
  const size = Math.round(Math.sqrt(plane));
  if (size * size !== plane) throw new InputError(`first-frame tracking needs square frames; got ${plane} values a frame`);
  const out = new Float32Array(horizon * plane);
  const frameAt = (k: number) => (k < 0 ? context.subarray((frames + k) * plane, (frames + k + 1) * plane) : out.subarray(k * plane, (k + 1) * plane));
  const appearance = context.subarray(0, plane);
  for (let k = 0; k < horizon; k++) out.set(extrapolateFrames(frameAt(k - 1), frameAt(k - 2), size, 1, 'bounce', appearance)[0] as Float32Array, k * plane);
  return out;
}

function checkContext(context: Float32Array, frames: number, plane: number, needed: number): void {
  if (frames < needed) throw new InputError(`a baseline needs at least ${needed} context frames; got ${frames}`);
  if (context.length !== frames * plane) throw new InputError(`context holds ${context.length} values, not ${frames} frames of ${plane}`);
}
