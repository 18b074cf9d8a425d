import { checkVolumes, type Volume } from './volume.js';

/** fastMRI `nmse`: ‖gt − pred‖² / ‖gt‖² over the whole volume (float64 sums). */
export function nmse(target: Volume, prediction: Volume): number {
  checkVolumes(target, prediction, 'NMSE');
  let err = 0;
  let norm = 0;
  for (let i = 0; i < target.data.length; i++) {
    const t = target.data[i] as number;
    const d = t - (prediction.data[i] as number);
    err += d * d;
    norm += t * t;
  }
  return err / norm;
}
