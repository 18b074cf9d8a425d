import { tf } from '../../tf.js';
import type { NativeBlas } from '@nextx/native-blas';
import { heapOffset, heapView, setWasmKernel, sizeOf, type KernelFn, type WasmBackend } from './kernel-access.js';
import { activeBlas } from './native-blas.js';

/** nextx's own kernels: GroupNorm (+ SiLU) of x [B, N, C], LayerNorm over the last axis (inputs x, weight?, bias?). */
export const NATIVE_GROUP_NORM = 'NextxNativeGroupNorm';
export const NATIVE_LAYER_NORM = 'NextxNativeLayerNorm';
/** x [B, H, L, d] divided by each row's L2 norm, then by an optional per-head scale [1, H, 1, 1] (inputs x, scale?). */
export const NATIVE_L2_NORMALIZE = 'NextxNativeL2Normalize';

interface GroupNormAttrs {
  groups: number;
  eps: number;
  silu: boolean;
}

interface NormInputs {
  x: tf.TensorInfo;
  weight?: tf.TensorInfo;
  bias?: tf.TensorInfo;
  scale?: tf.TensorInfo;
  shift?: tf.TensorInfo;
}

/** The addon (the kernels run only where canRunNative let them) and the byte offsets of the optional vectors. */
function normCall(kernelName: string, wasm: WasmBackend, inputs: NormInputs): { blas: NativeBlas; vectors: Partial<Record<'weight' | 'bias' | 'scale' | 'shift', number>> } {
  const blas = activeBlas();
  if (!blas) throw new Error(`${kernelName}: @nextx/native-blas is not active (its caller checks this first)`);
  const vectors: Partial<Record<'weight' | 'bias' | 'scale' | 'shift', number>> = {};
  for (const name of ['weight', 'bias', 'scale', 'shift'] as const) {
    const t = inputs[name];
    if (t) vectors[name] = heapOffset(wasm, t);
  }
  return { blas, vectors };
}

const groupNormKernel: KernelFn = ({ inputs, backend, attrs }) => {
  const wasm = backend as WasmBackend;
  const { x } = inputs as unknown as NormInputs;
  const { blas, vectors } = normCall(NATIVE_GROUP_NORM, wasm, inputs as unknown as NormInputs);
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
    ...vectors,
  });
  return y;
};

const layerNormKernel: KernelFn = ({ inputs, backend, attrs }) => {
  const wasm = backend as WasmBackend;
  const { x } = inputs as unknown as NormInputs;
  const { blas, vectors } = normCall(NATIVE_LAYER_NORM, wasm, inputs as unknown as NormInputs);
  const dim = x.shape[x.shape.length - 1] as number;
  const rows = sizeOf(x.shape) / dim;
  const y = wasm.makeOutput(x.shape, 'float32');
  const { eps, groups } = attrs as unknown as { eps: number; groups: number };
  blas.layerNorm(heapView(wasm), {
    rows,
    dim,
    eps,
    x: heapOffset(wasm, x),
    y: heapOffset(wasm, y),
    ...vectors,
    ...(vectors.scale !== undefined ? { rowsPerGroup: rows / groups } : {}),
  });
  return y;
};

const l2NormalizeKernel: KernelFn = ({ inputs, backend, attrs }) => {
  const wasm = backend as WasmBackend;
  const { x, scale } = inputs as unknown as NormInputs;
  const { blas, vectors } = normCall(NATIVE_L2_NORMALIZE, wasm, inputs as unknown as NormInputs);
  const dim = x.shape[x.shape.length - 1] as number;
  const y = wasm.makeOutput(x.shape, 'float32');
  const scaled = scale ? { scale: vectors.scale as number, scales: sizeOf(scale.shape), rowsPerScale: x.shape[x.shape.length - 2] as number } : {};
  blas.l2Normalize(heapView(wasm), { rows: sizeOf(x.shape) / dim, dim, eps: (attrs as unknown as { eps: number }).eps, x: heapOffset(wasm, x), y: heapOffset(wasm, y), ...scaled });
  return y;
};

/** Registers the native normalisation kernels for wasm (they run only where nativeGroupNorm / nativeLayerNorm let them). */
export function installBlasNorms(): void {
  setWasmKernel(NATIVE_GROUP_NORM, groupNormKernel);
  setWasmKernel(NATIVE_LAYER_NORM, layerNormKernel);
  setWasmKernel(NATIVE_L2_NORMALIZE, l2NormalizeKernel);
}

/** Whether a native normalisation of x may run: wasm, the addon active, float32, non-empty, no gradient being recorded. */
function canRunNative(x: tf.Tensor, kernel: 'groupNorm' | 'layerNorm' | 'l2Normalize'): boolean {
  if (tf.getBackend() !== 'wasm' || x.dtype !== 'float32' || x.size === 0 || tf.engine().isTapeOn()) return false;
  return typeof activeBlas()?.[kernel] === 'function';
}

function normInputs(x: tf.Tensor, weight?: tf.Tensor, bias?: tf.Tensor, modulation?: LayerNormModulation): Record<string, tf.Tensor> {
  const inputs: Record<string, tf.Tensor> = { x };
  if (weight) inputs['weight'] = weight;
  if (bias) inputs['bias'] = bias;
  if (modulation) Object.assign(inputs, modulation);
  return inputs;
}

/** AdaLN's modulation after a LayerNorm, y·(1 + scale) + shift. */
export interface LayerNormModulation {
  readonly scale: tf.Tensor;
  readonly shift: tf.Tensor;
}

/**
 * How many row groups a modulation of x takes natively: scale and shift float32, x's rank, [G, 1, …, 1, C] with G
 * x's leading size or 1 (one modulation per sample, broadcast over the sample's rows); undefined for anything else.
 */
function modulationGroups(x: tf.Tensor, { scale, shift }: LayerNormModulation): number | undefined {
  const fits = (t: tf.Tensor) =>
    t.dtype === 'float32' &&
    t.rank === x.rank &&
    t.shape[t.rank - 1] === x.shape[x.rank - 1] &&
    t.shape.slice(1, -1).every((d) => d === 1) &&
    (t.shape[0] === x.shape[0] || t.shape[0] === 1);
  if (x.rank < 2 || !fits(scale) || !fits(shift) || scale.shape[0] !== shift.shape[0]) return undefined;
  return scale.shape[0] as number;
}

/**
 * torch's GroupNorm (then SiLU when `silu`) of float32 x [B, N, C] in one pass of @nextx/native-blas — where the wasm
 * backend runs with the addon active and no gradient is being recorded (the kernel has none; GroupNorm's composite
 * path is differentiable). Undefined where it does not apply: the caller computes it with tfjs ops.
 */
export function nativeGroupNorm(x: tf.Tensor3D, groups: number, eps: number, silu: boolean, weight?: tf.Tensor, bias?: tf.Tensor): tf.Tensor3D | undefined {
  if (!canRunNative(x, 'groupNorm')) return undefined;
  const attrs: GroupNormAttrs = { groups, eps, silu };
  return tf.engine().runKernel(NATIVE_GROUP_NORM, normInputs(x, weight, bias), attrs as unknown as tf.NamedAttrMap) as tf.Tensor3D;
}

/**
 * torch's LayerNorm over the last axis of float32 x (then weight, then bias, then the modulation) in one pass of
 * @nextx/native-blas, under the same conditions as nativeGroupNorm; undefined where it does not apply (a bias without
 * a weight, a modulation of another shape than modulationGroups takes).
 */
export function nativeLayerNorm(x: tf.Tensor, eps: number, weight?: tf.Tensor, bias?: tf.Tensor, modulation?: LayerNormModulation): tf.Tensor | undefined {
  if ((bias && !weight) || !canRunNative(x, 'layerNorm')) return undefined;
  const groups = modulation ? modulationGroups(x, modulation) : 1;
  if (groups === undefined) return undefined;
  return tf.engine().runKernel(NATIVE_LAYER_NORM, normInputs(x, weight, bias, modulation), { eps, groups }) as tf.Tensor;
}

/**
 * torch's F.normalize over the last axis of float32 x [B, H, L, d], then times `scale` [1, H, 1, 1] when given (VAR's
 * per-head attention temperature), in one pass of @nextx/native-blas, under the same conditions as nativeGroupNorm;
 * undefined where it does not apply (another rank or scale shape).
 */
export function nativeL2Normalize(x: tf.Tensor, eps: number, scale?: tf.Tensor): tf.Tensor | undefined {
  if (x.rank !== 4 || !canRunNative(x, 'l2Normalize')) return undefined;
  if (scale && !(scale.dtype === 'float32' && scale.rank === 4 && scale.shape[0] === 1 && scale.shape[1] === x.shape[1] && scale.shape[2] === 1 && scale.shape[3] === 1)) return undefined;
  return tf.engine().runKernel(NATIVE_L2_NORMALIZE, scale ? { x, scale } : { x }, { eps }) as tf.Tensor;
}
