import { tf } from '../../tf.js';
import { heapOffset, heapView, setWasmKernel, type KernelFn, type WasmBackend } from './kernel-access.js';
import { activeBlas } from './native-blas.js';

/** nextx's own kernel: GroupNorm (+ SiLU) of x [B, N, C] in one native pass (inputs x, weight?, bias?). */
export const NATIVE_GROUP_NORM = 'NextxNativeGroupNorm';

interface GroupNormAttrs {
  groups: number;
  eps: number;
  silu: boolean;
}

const groupNormKernel: KernelFn = ({ inputs, backend, attrs }) => {
  const blas = activeBlas();
  if (!blas) throw new Error(`${NATIVE_GROUP_NORM}: @nextx/native-blas is not active (nativeGroupNorm checks this first)`);
  const wasm = backend as WasmBackend;
  const { x, weight, bias } = inputs as { x: tf.TensorInfo; weight?: tf.TensorInfo; bias?: tf.TensorInfo };
  const { groups, eps, silu } = attrs as unknown as GroupNormAttrs;
  const [batch, positions, channels] = x.shape as [number, number, number];
  const y = wasm.makeOutput(x.shape, 'float32');
  blas.groupNorm(heapView(wasm), {
    batch,
    positions,
    channels,
    groups,
    eps,
    silu,
    x: heapOffset(wasm, x),
    y: heapOffset(wasm, y),
    ...(weight ? { weight: heapOffset(wasm, weight) } : {}),
    ...(bias ? { bias: heapOffset(wasm, bias) } : {}),
  });
  return y;
};

/** Registers the native GroupNorm kernel for wasm (it runs only where nativeGroupNorm lets it). */
export function installBlasGroupNorm(): void {
  setWasmKernel(NATIVE_GROUP_NORM, groupNormKernel);
}

/**
 * torch's GroupNorm (then SiLU when `silu`) of float32 x [B, N, C] in one pass of @nextx/native-blas — where the wasm
 * backend runs with the addon active and no gradient is being recorded (the kernel has none; GroupNorm's composite
 * path is differentiable). Undefined where it does not apply: the caller computes it with tfjs ops.
 */
export function nativeGroupNorm(x: tf.Tensor3D, groups: number, eps: number, silu: boolean, weight?: tf.Tensor, bias?: tf.Tensor): tf.Tensor3D | undefined {
  if (tf.getBackend() !== 'wasm' || x.dtype !== 'float32' || x.size === 0 || tf.engine().isTapeOn()) return undefined;
  const blas = activeBlas();
  if (typeof blas?.groupNorm !== 'function') return undefined;
  const inputs: Record<string, tf.Tensor> = { x };
  if (weight) inputs['weight'] = weight;
  if (bias) inputs['bias'] = bias;
  const attrs: GroupNormAttrs = { groups, eps, silu };
  return tf.engine().runKernel(NATIVE_GROUP_NORM, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor3D;
}
