import { checkVolumes, maxOf, type Volume } from './volume.js';

/**
 * fastMRI `psnr`: skimage's peak_signal_noise_ratio over the whole volume with data_range = max of the target
 * (or `maxval`): 10·log10(range² / MSE).
 */
export function psnr(target: Volume, prediction: Volume, maxval?: number): number {
  checkVolumes(target, prediction, 'PSNR');
  const range = maxval ?? maxOf(target.data);
  let sum = 0;
  for (let i = 0; i < target.data.length; i++) {
    const d = (target.data[i] as number) - (prediction.data[i] as number);
    sum += d * d;
  }
  const mse = sum / target.data.length;
  return 10 * Math.log10((range * range) / mse);
}
