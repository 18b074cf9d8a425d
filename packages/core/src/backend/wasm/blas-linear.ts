import { tf } from '../../tf.js';
import { blasBatchMatMul } from './blas-matmul.js';
import { setWasmKernel, type KernelFn, type WasmBackend } from './kernel-access.js';
import { activeBlas } from './native-blas.js';

/** nextx's own kernel: x·W + b over the last axis of x of any rank (inputs x, weight [in, out], bias?; attr gelu). */
export const NATIVE_LINEAR = 'NextxNativeLinear';

const linearKernel: KernelFn = ({ inputs, backend, attrs }) => {
  const { x, weight, bias } = inputs as { x: tf.TensorInfo; weight: tf.TensorInfo; bias?: tf.TensorInfo };
  const blas = activeBlas();
  const out = blas && blasBatchMatMul(blas, backend as WasmBackend, x, weight, false, false, bias, (attrs as { gelu: boolean }).gelu);
  if (!out) throw new Error(`${NATIVE_LINEAR}: not runnable on [${x.shape}]·[${weight.shape}] (its caller checks this first)`);
  return out;
};

/** Registers the native Linear kernel for wasm (it runs only where nativeLinear lets it). */
export function installBlasLinear(): void {
  setWasmKernel(NATIVE_LINEAR, linearKernel);
}

/**
 * x·W + b (then GELU-tanh when `gelu`) for float32 x of any rank, W [in, out], b [out], as one OpenBLAS call on the
 * operands where they lie: no reshapes around the product (tf.fused.matMul adds five kernels per Linear) and the
 * activation in the same pass. Where the wasm backend runs with the addon active and no gradient is recorded (the
 * kernel has none); undefined elsewhere: the caller runs the differentiable ops.
 */
export function nativeLinear(x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor, options: { gelu?: boolean } = {}): tf.Tensor | undefined {
  if (tf.getBackend() !== 'wasm' || x.dtype !== 'float32' || weight.dtype !== 'float32' || x.rank < 2 || x.size === 0) return undefined;
  if (weight.rank !== 2 || x.shape[x.rank - 1] !== weight.shape[0] || (bias && bias.size !== weight.shape[1])) return undefined;
  if (tf.engine().isTapeOn() || !activeBlas()) return undefined;
  const inputs: Record<string, tf.Tensor> = { x, weight };
  if (bias) inputs['bias'] = bias;
  return tf.engine().runKernel(NATIVE_LINEAR, inputs, { gelu: options.gelu === true }) as tf.Tensor;
}
