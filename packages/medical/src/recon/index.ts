export { zeroFilledRss } from './zero-filled.js';
export { cgSense, cgSenseSchema, type CgSenseOptions } from './cg-sense.js';
export { waveletCs, waveletCsSchema, type WaveletCsOptions } from './wavelet-cs.js';
export { haarForward, haarInverse, haarLevels, roll2d, type HaarLevel } from './haar-wavelet.js';
export { magnitudeOf } from './complex-vector.js';
