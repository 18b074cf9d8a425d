export { checkComplexArray, checkComplexTensor, magnitude, sizeOf, toComplexArray, toComplexTensor, zerosComplex, type ComplexArray } from './complex-array.js';
export { imageToKspace, kspaceToImage } from './transforms.js';
export { rss } from './rss.js';
export {
  centerColumns,
  checkMask,
  defaultCenterFraction,
  effectiveAcceleration,
  maskKindSchema,
  maskSpecSchema,
  maskTensor,
  nestedMasks,
  roundHalfEven,
  sampleMask,
  sampledColumns,
  type CartesianMask,
  type MaskKind,
  type MaskSpec,
} from './cartesian-mask.js';
export { applyDataConsistency, dataConsistencySchema, undersample, type DataConsistency } from './data-consistency.js';
export {
  calibrationRegion,
  coilEstimationSchema,
  estimateCoilSensitivities,
  simulateCoilSensitivities,
  simulatedCoilsSchema,
  type CoilEstimation,
  type SimulatedCoils,
} from './coil-sensitivities.js';
export { SenseOperator } from './sense.js';
