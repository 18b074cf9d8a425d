export { MultiScaleResidualQuantizer, type MultiScaleQuantizerOptions, type MultiScaleQuantizerOutput } from './multiscale-quantizer.js';
export { nearestCode } from './nearest-code.js';
export { numpyLinspace, phiIndices } from './phi-schedule.js';
export { Phi, ResidualPhi, type ResidualPhiOptions } from './residual-phi.js';
export { resize, resizeMatrix, type ResizeMode } from './resize.js';
