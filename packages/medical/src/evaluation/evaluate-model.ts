import { performance } from 'node:perf_hooks';
import { tf, throwIfAborted } from '@nextx/core';
import type { RealImage } from '../data/resample.js';
import type { ReconstructionMetrics } from '../metrics/evaluate.js';
import { generateMriNas } from '../mri-nas/generate.js';
import type { MriNasModel } from '../mri-nas/model.js';
import { zeroFilledRss } from '../recon/zero-filled.js';
import { heldOutCases, measuredKspace, volumeMetrics, type HeldOutCase } from './held-out.js';

export interface MethodScore {
  readonly method: string;
  readonly acceleration: number;
  readonly metrics: ReconstructionMetrics;
  /** Wall time per slice (reconstruction only). */
  readonly secondsPerSlice: number;
}

/** Reconstructions of every case by one method, timed, scored over the volume of the cases. */
export async function scoreMethod(
  method: string,
  acceleration: number,
  cases: readonly HeldOutCase[],
  reconstruct: (c: HeldOutCase) => Float32Array | Promise<Float32Array>,
  signal?: AbortSignal,
): Promise<MethodScore> {
  const images: Float32Array[] = [];
  let seconds = 0;
  for (const c of cases) {
    throwIfAborted(signal);
    const t0 = performance.now();
    images.push(await reconstruct(c));
    seconds += (performance.now() - t0) / 1000;
  }
  return { method, acceleration, metrics: volumeMetrics(cases.map((c) => c.target), images), secondsPerSlice: seconds / cases.length };
}

export function zeroFilledOf(c: HeldOutCase): Float32Array {
  const y = measuredKspace(c);
  const image = zeroFilledRss(y);
  const out = Float32Array.from(image.dataSync() as Float32Array);
  tf.dispose([y.re, y.im, image]);
  return out;
}

/**
 * The model's mean reconstruction at every level from the measured one, scored per level (one generation per slice;
 * the time per slice is that of the whole stream, every level included).
 */
export async function scoreModelLevels(
  model: MriNasModel,
  acceleration: number,
  cases: readonly HeldOutCase[],
  options: { samples?: number; temperature?: number; seed?: number; signal?: AbortSignal } = {},
): Promise<MethodScore[]> {
  const perLevel = new Map<number, Float32Array[]>();
  let seconds = 0;
  for (const c of cases) {
    throwIfAborted(options.signal);
    const y = measuredKspace(c);
    const t0 = performance.now();
    for await (const chunk of generateMriNas(model, { measurement: { kspace: y, mask: c.mask }, samples: options.samples ?? 4, temperature: options.temperature ?? 1 }, { seed: (options.seed ?? 0) + c.index, ...(options.signal ? { signal: options.signal } : {}) })) {
      const list = perLevel.get(chunk.value.acceleration) ?? [];
      list.push(chunk.value.mean);
      perLevel.set(chunk.value.acceleration, list);
    }
    seconds += (performance.now() - t0) / 1000;
    tf.dispose([y.re, y.im]);
  }
  return [...perLevel.entries()].map(([level, images]) => ({
    method: `mri-nas ${level}× level`,
    acceleration,
    metrics: volumeMetrics(cases.map((c) => c.target), images),
    secondsPerSlice: seconds / cases.length,
  }));
}

/** Zero-filled and the model on held-out slices at each acceleration (what `nextx eval medical/mri-nas` prints). */
export async function evaluateModel(
  model: MriNasModel,
  slices: readonly RealImage[],
  accelerations: readonly number[],
  options: { samples?: number; seed?: number; signal?: AbortSignal } = {},
): Promise<MethodScore[]> {
  const rows: MethodScore[] = [];
  for (const R of accelerations) {
    const cases = heldOutCases(slices, { acceleration: R, centerFraction: Math.min(1, model.config.centerFraction / R) });
    rows.push(await scoreMethod('zero-filled', R, cases, zeroFilledOf, options.signal));
    rows.push(...(await scoreModelLevels(model, R, cases, options)));
  }
  return rows;
}
