import { tf } from '../../tf.js';
import { routeWasmMatMul } from './batch-matmul-routing.js';
import { installUnsortedSegmentSum } from './unsorted-segment-sum.js';
import { installConv2dBackpropFilter } from './conv2d-backprop-filter.js';
import { installCpuFallbacks } from './cpu-fallback.js';
import { installConv2dGradient } from './conv2d-input-gradient.js';
import { guardWasmMalloc } from './malloc-guard.js';
import { installBlasConv2d } from './blas-conv2d.js';
import { installBlasNorms } from './blas-norms.js';
import { installBlasLinear } from './blas-linear.js';
import { installWasmSlice } from './slice.js';

/** What `patchWasmBackend` added: own kernels, kernels delegated to cpu, and whether matMul is routed. */
export interface WasmPatchReport {
  readonly ownKernels: readonly string[];
  readonly cpuDelegated: readonly string[];
  readonly matMulRouted: boolean;
}

let report: WasmPatchReport | undefined;

/**
 * Makes the wasm backend complete and fast for the toolkit (issue #2): own kernels for UnsortedSegmentSum and
 * Conv2DBackpropFilter, the conv input gradient as a forward conv, cpu delegation for the other real-valued kernels it lacks, and every matMul routed through
 * the 2-D fast path — or, where @nextx/native-blas is loaded, matMul and conv2d (forward and both gradients) on
 * OpenBLAS, and GroupNorm (+ SiLU) and LayerNorm outside gradient tapes in the addon's vector loops; a failed heap allocation becomes a BackendError (guardWasmMalloc). Idempotent; needs the cpu
 * backend registered (it is, by @tensorflow/tfjs).
 */
export function patchWasmBackend(): WasmPatchReport {
  guardWasmMalloc();
  if (report) return report;
  installUnsortedSegmentSum();
  installConv2dBackpropFilter();
  installConv2dGradient();
  installBlasConv2d();
  installBlasNorms();
  installBlasLinear();
  installWasmSlice();
  const cpuDelegated = installCpuFallbacks();
  routeWasmMatMul(true);
  report = {
    ownKernels: [
      tf.UnsortedSegmentSum,
      tf.Conv2DBackpropFilter,
      `${tf.BatchMatMul} (routed)`,
      `${tf.Conv2D} gradient (input gradient as a forward conv)`,
      `${tf.Slice} (from a view of the heap)`,
      `${tf.SplitV} (from a view of the heap)`,
      'NextxNativeGroupNorm, NextxNativeLayerNorm (GroupNorm + SiLU and LayerNorm on @nextx/native-blas, outside gradient tapes)',
    ],
    cpuDelegated,
    matMulRouted: true,
  };
  return report;
}
