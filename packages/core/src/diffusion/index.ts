export { edmInputScale, edmLossWeight, edmPreconditioning, type EdmFactors } from './edm-preconditioning.js';
export {
  checkEntropyProfile,
  entropyBins,
  entropyLogNormalFit,
  estimateEntropyProfile,
  linspaceFloat32,
  searchSortedLeft,
  type EntropyProfile,
  type EntropyProfileOptions,
} from './entropy-profile.js';
export { EntropyRateBuffer, entropyRateBufferStateSchema, type EntropyRateBufferState } from './entropy-rate-buffer.js';
export { matchedFilterLogits, type MatchedFilterOptions } from './matched-filter.js';
export {
  drawProfileSigmas,
  logNormalSigmas,
  mixedTrainingSigmas,
  logUniformSigmas,
  baseSigmas,
  type BaseSigmaOptions,
  normalsFrom,
  profileShare,
  profileSigmasFromUniforms,
  uniformsFrom,
  type LogNormalSigmaOptions,
  type NormalSource,
  type ProfileMixture,
  type SigmaRange,
  type UniformSource,
} from './sigma-draws.js';
