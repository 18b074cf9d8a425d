export * from './backend-name.js';
export { initBackend, ensureBackend, listBackends, probeBackend, activeBackend, type BackendStatus } from './init-backend.js';
export type { BackendCandidate } from './probe.js';
export { doctorReport, type DoctorReport, type DoctorBackend } from './doctor.js';
export {
  benchCore,
  benchShapes,
  measureMatmul,
  isWasmMatMulRouted,
  type CoreBench,
  type BackendMatmulBench,
  type MatmulFigure,
  type MatmulShape,
} from './matmul-bench.js';
export { patchWasmBackend, type WasmPatchReport } from './wasm/patch-wasm.js';
export { routeWasmMatMul } from './wasm/batch-matmul-routing.js';
