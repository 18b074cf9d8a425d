import { tf } from '../../tf.js';
import { kernelFn, setWasmKernel, sizeOf, type KernelFn, type WasmBackend } from './kernel-access.js';

/**
 * Slice on the wasm heap. tfjs-backend-wasm 4.22's Slice reads its whole input out of the heap (`readSync`, a copy)
 * before copying the slice: a one-row slice of an 8192×64 table cost 0.37 ms, and every split pays it per part. This
 * one copies the slice's rows from a view of the heap, and so does SplitV (which called that Slice once per part).
 * Strings keep the original kernels.
 */
export function installWasmSlice(): void {
  const original = kernelFn(tf.Slice, 'wasm');
  const slice: KernelFn = (args) => {
    const { inputs, backend, attrs } = args;
    const x = inputs['x'] as tf.TensorInfo;
    if (x.dtype === 'string') return original(args);
    const { begin, size } = attrs as { begin: number | number[]; size: number | number[] };
    const [start, extent] = tf.slice_util.parseSliceParams(x as tf.TensorInfo & { rank: number }, begin, size) as [number[], number[]];
    return sliceOnHeap(backend as WasmBackend, x, start, extent);
  };
  setWasmKernel(tf.Slice, slice);
  // tfjs's SplitV calls its own Slice function directly, not the registered kernel: it is replaced too.
  const originalSplit = kernelFn(tf.SplitV, 'wasm');
  const split: KernelFn = (args) => {
    const { inputs, backend, attrs } = args;
    const x = inputs['x'] as tf.TensorInfo;
    if (x.dtype === 'string') return originalSplit(args);
    const { numOrSizeSplits, axis } = attrs as { numOrSizeSplits: number | number[]; axis: number };
    const along = tf.util.parseAxisParam(axis, x.shape)[0] as number;
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, along);
    const start = x.shape.map(() => 0);
    return sizes.map((n) => {
      const extent = [...x.shape];
      extent[along] = n;
      const part = sliceOnHeap(backend as WasmBackend, x, start, extent);
      start[along] = (start[along] as number) + n;
      return part;
    });
  };
  setWasmKernel(tf.SplitV, split);
}

function sliceOnHeap(wasm: WasmBackend, x: tf.TensorInfo, start: readonly number[], extent: number[]): tf.TensorInfo {
  const out = wasm.makeOutput(extent, x.dtype);
  if (sizeOf(extent) === 0) return out;
  // Views only after makeOutput: a heap that grows there detaches earlier views.
  const source = wasm.typedArrayFromHeap(x);
  const target = wasm.typedArrayFromHeap(out);
  copySlice(source, x.shape, start, extent, target);
  return out;
}

/** Copies the box [start, start + extent) of a row-major array of `shape` into `target`, one innermost run at a time. */
function copySlice(source: tf.TypedArray, shape: readonly number[], start: readonly number[], extent: readonly number[], target: tf.TypedArray): void {
  const rank = shape.length;
  const strides = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) strides[d] = (strides[d + 1] as number) * (shape[d + 1] as number);
  const run = rank ? (extent[rank - 1] as number) : 1;
  const rows = sizeOf(extent) / run;
  const index = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  for (let row = 0; row < rows; row++) {
    let from = rank ? (start[rank - 1] as number) : 0;
    for (let d = 0; d < rank - 1; d++) from += ((start[d] as number) + (index[d] as number)) * (strides[d] as number);
    target.set(source.subarray(from, from + run), row * run);
    for (let d = rank - 2; d >= 0; d--) {
      index[d] = (index[d] as number) + 1;
      if ((index[d] as number) < (extent[d] as number)) break;
      index[d] = 0;
    }
  }
}
