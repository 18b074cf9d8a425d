export type { BlasLibrary, Conv2dArgs, Conv2dGeometry, Conv2dPass, FilterLogitsArgs, GemmArgs, Heap, L2NormalizeArgs, NativeBlas } from './addon.js';
export { loadNativeBlas, classifyLoadError, coreTypeForFlags, binaryCandidates, BUILD_COMMAND, type LoadOptions, type NativeBlasFailure, type NativeBlasLoad } from './load.js';
export { selfCheck } from './self-check.js';
