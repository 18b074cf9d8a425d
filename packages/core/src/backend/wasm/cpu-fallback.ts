import { tf } from '../../tf.js';
import { kernelFn, setWasmKernel, type KernelFn, type WasmBackend } from './kernel-access.js';

/** Kernels that need complex64 storage, which the wasm backend does not have; nextx's FFT (src/signal) avoids them. */
const COMPLEX_KERNELS = new Set(['Complex', 'ComplexAbs', 'Real', 'Imag', 'FFT', 'IFFT', 'RFFT', 'IRFFT']);
/** Kernels with no tensor semantics worth delegating (string ops, canvas drawing). */
const NOT_DELEGATED = new Set(['Draw', 'StaticRegexReplace']);

/**
 * Runs a cpu kernel for a wasm computation: inputs are copied to the cpu backend, the cpu kernel runs, outputs are
 * copied back. Used for the rarely-used kernels wasm lacks (Einsum, depthwise conv backprops, Ragged*).
 */
export function cpuDelegate(kernelName: string): KernelFn {
  const cpuKernel = kernelFn(kernelName, 'cpu');
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as WasmBackend;
    const cpu = tf.findBackend('cpu');
    if (!cpu) throw new Error(`the cpu backend is needed to run ${kernelName} for wasm`);
    const copied: tf.TensorInfo[] = [];
    const toCpu = (info: tf.TensorInfo): tf.TensorInfo => {
      const values = wasm.readSync(info.dataId) as tf.TypedArray;
      const copy = { dataId: cpu.write(values, info.shape, info.dtype), shape: info.shape, dtype: info.dtype };
      copied.push(copy);
      return copy;
    };
    // Most kernels take named inputs; a few (Einsum, Concat, AddN) take an array, which must stay an array.
    const cpuInputs = Array.isArray(inputs)
      ? (inputs as tf.TensorInfo[]).map(toCpu)
      : Object.fromEntries(Object.entries(inputs).flatMap(([name, info]) => (info ? [[name, toCpu(info)]] : [])));
    const result = cpuKernel({ inputs: cpuInputs as tf.NamedTensorInfoMap, backend: cpu, ...(attrs ? { attrs } : {}) });
    const outputs = (Array.isArray(result) ? result : [result]).map((out) => {
      const values = cpu.readSync(out.dataId) as tf.TypedArray;
      cpu.disposeData(out.dataId);
      return wasm.makeOutput(out.shape, out.dtype, undefined, values);
    });
    for (const info of copied) cpu.disposeData(info.dataId);
    return Array.isArray(result) ? outputs : (outputs[0] as tf.TensorInfo);
  };
}

/** Kernels cpu has and wasm lacks, that can be delegated (everything but complex and non-tensor ones). */
export function delegatableMissingKernels(): string[] {
  const wasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  return tf
    .getKernelsForBackend('cpu')
    .map((k) => k.kernelName)
    .filter((name) => !wasm.has(name) && !COMPLEX_KERNELS.has(name) && !NOT_DELEGATED.has(name));
}

export function installCpuFallbacks(): string[] {
  const names = delegatableMissingKernels();
  for (const name of names) setWasmKernel(name, cpuDelegate(name));
  return names;
}
