import { tf } from '../../tf.js';

/** The wasm backend's internals that the patched kernels use (tfjs-backend-wasm 4.22, `BackendWasm`). */
export interface WasmBackend extends tf.KernelBackend {
  dataIdMap: { get(dataId: tf.DataId): { id: number; memoryOffset: number; shape: number[]; dtype: tf.DataType } };
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.TypedArray): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
  readSync(dataId: tf.DataId): tf.BackendValues;
  /** The emscripten module; HEAPU8 is the current view of the whole heap (replaced when the heap grows). */
  wasm: { HEAPU8: Uint8Array };
}

export type KernelFn = (args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }) =>
  tf.TensorInfo | tf.TensorInfo[];

/** The kernel function registered for `kernelName` on `backendName`. */
export function kernelFn(kernelName: string, backendName: string): KernelFn {
  const config = tf.getKernel(kernelName, backendName);
  if (!config) throw new Error(`kernel ${kernelName} is not registered for ${backendName}`);
  return config.kernelFunc as unknown as KernelFn;
}

/** Registers `kernelFunc` for wasm, replacing a registration that exists. */
export function setWasmKernel(kernelName: string, kernelFunc: KernelFn): void {
  if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The whole wasm heap, as it is now: read it after allocating, since an allocation may grow (and replace) it. */
export function heapView(wasm: WasmBackend): Uint8Array {
  return wasm.wasm.HEAPU8;
}

/** Byte offset of a tensor's data in the wasm heap. */
export function heapOffset(wasm: WasmBackend, info: tf.TensorInfo): number {
  return wasm.dataIdMap.get(info.dataId).memoryOffset;
}
