import { nmse } from './nmse.js';
import { psnr } from './psnr.js';
import { ssim } from './ssim.js';
import type { Volume } from './volume.js';

export interface ReconstructionMetrics {
  readonly nmse: number;
  readonly psnr: number;
  readonly ssim: number;
}

/** fastMRI's three metrics of one volume, with data range = the target's maximum for PSNR and SSIM. */
export function evaluateVolume(target: Volume, prediction: Volume): ReconstructionMetrics {
  return { nmse: nmse(target, prediction), psnr: psnr(target, prediction), ssim: ssim(target, prediction) };
}
