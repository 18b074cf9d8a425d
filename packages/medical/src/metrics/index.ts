export { checkVolumes, sliceVolume, type Volume } from './volume.js';
export { nmse } from './nmse.js';
export { psnr } from './psnr.js';
export { ssim, type SsimOptions } from './ssim.js';
export { evaluateVolume, type ReconstructionMetrics } from './evaluate.js';
export { maxOf } from './volume.js';
