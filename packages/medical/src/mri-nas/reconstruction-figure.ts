import { heatmap, panels, type Figure } from '@nextx/core';
import type { RealImage } from '../data/resample.js';
import { maxOf } from '../metrics/volume.js';
import type { LevelReconstruction } from './generate.js';

export interface ReconstructionFigureInput {
  /** The fully sampled RSS, when known (error maps need it). */
  readonly target?: RealImage;
  /** fastMRI's zero-filled RSS of the measurement. */
  readonly zeroFilled: Float32Array;
  readonly levels: readonly LevelReconstruction[];
  readonly title?: string;
}

/**
 * The figure of one reconstruction: the target, zero-filled and every level's mean image (gray, one shared scale);
 * below, |image − target| of each (magma, one shared scale); below that, the per-pixel standard deviation over the
 * samples of each level (viridis, one shared scale) — the uncertainty map.
 */
export function reconstructionFigure(input: ReconstructionFigureInput): Figure {
  const n = input.levels[0]?.size ?? Math.round(Math.sqrt(input.zeroFilled.length));
  const images: { title: string; values: Float32Array }[] = [
    ...(input.target ? [{ title: 'target (RSS)', values: input.target.data }] : []),
    { title: 'zero-filled', values: input.zeroFilled },
    ...input.levels.map((l) => ({ title: `${l.acceleration}× level`, values: l.mean })),
  ];
  const range = Math.max(...images.map((i) => maxOf(i.values)));
  const cell = (title: string, values: Float32Array, colorScheme: 'gray' | 'magma' | 'viridis', domain: [number, number], valueLabel: string) =>
    heatmap({ values, rows: n, cols: n, axes: false, colorScheme, domain, title, valueLabel, width: 3 * n, height: 3 * n });
  const rows: Figure[] = [panels(images.map((i) => cell(i.title, i.values, 'gray', [0, range], 'intensity')))];
  if (input.target) {
    const target = input.target.data;
    const errors = images.slice(1).map((i) => ({ title: `|${i.title} − target|`, values: i.values.map((v, p) => Math.abs(v - (target[p] as number))) }));
    const top = Math.max(1e-6, ...errors.map((e) => maxOf(e.values)));
    rows.push(panels(errors.map((e) => cell(e.title, e.values, 'magma', [0, top], '|error|'))));
  }
  const stds = input.levels.map((l) => ({ title: `${l.acceleration}× std over samples`, values: l.std }));
  const topStd = Math.max(1e-6, ...stds.map((s) => maxOf(s.values)));
  rows.push(panels(stds.map((s) => cell(s.title, s.values, 'viridis', [0, topStd], 'std'))));
  return panels(rows, { columns: 1, ...(input.title ? { title: input.title } : {}) });
}
