export * from './backend-name.js';
export {
  initBackend,
  ensureBackend,
  listBackends,
  probeBackend,
  activeBackend,
  describeBackend,
  type BackendStatus,
} from './init-backend.js';
export type { BlasStatus, BlasReason } from './blas-status.js';
export { useNativeBlas } from './wasm/native-blas.js';
export type { BackendCandidate } from './probe.js';
export { doctorReport, type DoctorReport, type DoctorBackend } from './doctor.js';
export {
  benchCore,
  benchShapes,
  measureMatmul,
  isWasmMatMulRouted,
  type CoreBench,
  type ProductVariant,
  type VariantComparison,
  type BackendMatmulBench,
  type MatmulFigure,
  type MatmulShape,
} from './matmul-bench.js';
export { patchWasmBackend, type WasmPatchReport } from './wasm/patch-wasm.js';
export { routeWasmMatMul } from './wasm/batch-matmul-routing.js';
