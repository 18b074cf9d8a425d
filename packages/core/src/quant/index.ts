export { codeHits, perplexity } from './code-usage.js';
export { FSQ, fsqConfigSchema, type FsqConfig } from './fsq.js';
export {
  LookupFreeQuantizer,
  lookupFreeQuantizerConfigSchema,
  type LookupFreeQuantizerConfig,
  type LookupFreeQuantizerOutput,
} from './lookup-free-quantizer.js';
export {
  MultiScaleResidualQuantizer,
  multiScaleQuantizerConfigSchema,
  type MultiScaleQuantizerOptions,
  type MultiScaleQuantizerOutput,
} from './multiscale-quantizer.js';
export { nearestCode } from './nearest-code.js';
export { numpyLinspace, phiIndices } from './phi-schedule.js';
export { Phi, ResidualPhi, type ResidualPhiOptions } from './residual-phi.js';
export { prepareResize, resize, resizeMatrix, type ResizeMode } from './resize.js';
export { straightThrough } from './straight-through.js';
export {
  VectorQuantizer,
  vectorQuantizerConfigSchema,
  type VectorQuantizerConfig,
  type VectorQuantizerOutput,
} from './vector-quantizer.js';
