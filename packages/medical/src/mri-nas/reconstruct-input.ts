import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { tf, type GenerateOptions } from '@nextx/core';
import type { RealImage } from '../data/resample.js';
import { evaluateVolume, type ReconstructionMetrics } from '../metrics/evaluate.js';
import { zeroFilledRss } from '../recon/zero-filled.js';
import { generateMriNas, type LevelReconstruction } from './generate.js';
import type { MriNasRequestOptions } from './generate-request.js';
import type { PreparedInput } from './input-file.js';
import type { MriNasModel } from './model.js';
import { writeLevelOutputs, type LevelFiles } from './outputs.js';
import { reconstructionFigure } from './reconstruction-figure.js';

export interface ReconstructionRun {
  readonly levels: readonly (LevelFiles & { acceleration: number; metrics?: ReconstructionMetrics })[];
  readonly zeroFilled: { readonly png?: string; readonly metrics?: ReconstructionMetrics };
  readonly figure: string;
  readonly seconds: number;
  readonly seed?: number;
}

const metricsOf = (target: RealImage | undefined, image: Float32Array): ReconstructionMetrics | undefined =>
  target ? evaluateVolume({ data: target.data, shape: [1, target.height, target.width] }, { data: image, shape: [1, target.height, target.width] }) : undefined;

/**
 * Reconstructs a prepared input, writing each level's PNG and safetensors as it streams (and `onLevel` for the CLI's
 * lines), then the figure `reconstruction.png`. With a target, every level is scored (fastMRI metrics).
 */
export async function reconstructInput(
  model: MriNasModel,
  input: PreparedInput,
  out: string,
  request: MriNasRequestOptions,
  options: GenerateOptions & { onLevel?: (level: LevelReconstruction, metrics?: ReconstructionMetrics) => void; title?: string } = {},
): Promise<ReconstructionRun> {
  mkdirSync(out, { recursive: true });
  const zfTensor = zeroFilledRss(input.measured);
  const zeroFilled = Float32Array.from(zfTensor.dataSync() as Float32Array);
  zfTensor.dispose();
  const displayMax = Math.max(...(input.target?.data ?? zeroFilled));
  const levels: LevelReconstruction[] = [];
  const files: (LevelFiles & { acceleration: number; metrics?: ReconstructionMetrics })[] = [];
  const started = performance.now();
  for await (const chunk of generateMriNas(model, { ...request, measurement: { kspace: input.measured, mask: input.mask } }, options)) {
    const level = chunk.value;
    levels.push(level);
    const metrics = metricsOf(input.target, level.mean);
    files.push({ ...writeLevelOutputs(out, level, displayMax), acceleration: level.acceleration, ...(metrics ? { metrics } : {}) });
    options.onLevel?.(level, metrics);
  }
  const seconds = (performance.now() - started) / 1000;
  const figure = join(out, 'reconstruction.png');
  await reconstructionFigure({ ...(input.target ? { target: input.target } : {}), zeroFilled, levels, ...(options.title ? { title: options.title } : {}) }).write(figure);
  const zfMetrics = metricsOf(input.target, zeroFilled);
  return { levels: files, zeroFilled: zfMetrics ? { metrics: zfMetrics } : {}, figure, seconds, ...(levels[0]?.seed !== undefined ? { seed: levels[0].seed } : {}) };
}

export function formatMetrics(m: ReconstructionMetrics): string {
  return `NMSE ${m.nmse.toFixed(4)}  PSNR ${m.psnr.toFixed(2)} dB  SSIM ${m.ssim.toFixed(4)}`;
}

/** Disposes a prepared input's tensors. */
export function disposeInput(input: PreparedInput): void {
  tf.dispose([input.measured.re, input.measured.im]);
}
