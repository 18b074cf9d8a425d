import { tf } from '../../tf.js';
import { kernelFn, setWasmKernel, sizeOf, type KernelFn, type WasmBackend } from './kernel-access.js';
import { blasBatchMatMul } from './blas-matmul.js';
import { activeBlas } from './native-blas.js';

/**
 * wasm's XNNPACK matMul is fast (~42 GFLOP/s here) only for an untransposed product with batch 1; transposed or
 * batched products fall to a loop ~12× slower (TFJS-NOTES.md). Every matMul backward is transposed, every attention
 * product batched. This kernel rewrites any BatchMatMul into fast products:
 *  - transposes are materialised by the (fast) Transpose kernel;
 *  - a batch against a shared matrix [1, k, n] is folded into rows: [B·m, k]×[k, n];
 *  - a true batch runs one fast product per slice, written into one output buffer.
 * Where @nextx/native-blas is loaded, OpenBLAS runs the product instead, on the operands where they are (blasBatchMatMul).
 */
let original: KernelFn | undefined;

let originalFused: KernelFn | undefined;

export function routeWasmMatMul(enabled: boolean): void {
  original ??= kernelFn(tf.BatchMatMul, 'wasm');
  originalFused ??= kernelFn(tf._FusedMatMul, 'wasm');
  setWasmKernel(tf.BatchMatMul, enabled ? routedBatchMatMul : original);
  setWasmKernel(tf._FusedMatMul, enabled ? routedFusedMatMul : originalFused);
}

/** The wasm kernel and its extra inputs/attrs for each tf.fused activation. */
const ACTIVATIONS: Record<string, (x: tf.TensorInfo, alpha: tf.TensorInfo | undefined, leak: number | undefined) => [string, tf.NamedTensorInfoMap, tf.NamedAttrMap]> = {
  relu: (x) => [tf.Relu, { x }, {}],
  relu6: (x) => [tf.Relu6, { x }, {}],
  elu: (x) => [tf.Elu, { x }, {}],
  sigmoid: (x) => [tf.Sigmoid, { x }, {}],
  leakyrelu: (x, _alpha, leak) => [tf.LeakyRelu, { x }, { alpha: leak ?? 0.2 }],
  prelu: (x, alpha) => [tf.Prelu, { x, alpha: alpha as tf.TensorInfo }, {}],
};

/**
 * tf.fused.matMul (Linear's x·W + b). On OpenBLAS (addon active, no activation) the bias is added inside the product.
 * XNNPACK's fused kernel is kept for its fast case, an untransposed product with a batch of 1 (Linear's); it caches
 * its operator by weights and bias only, so the same weights with transposeA afterwards gave the untransposed product.
 * Anything else runs as the routed product, then the bias and the activation kernels.
 */
const routedFusedMatMul: KernelFn = (call) => {
  const { a, b, bias, preluActivationWeights } = call.inputs as Record<string, tf.TensorInfo | undefined>;
  const { transposeA, transposeB, activation, leakyreluAlpha } = (call.attrs ?? {}) as {
    transposeA?: boolean;
    transposeB?: boolean;
    activation?: string;
    leakyreluAlpha?: number;
  };
  const wasm = call.backend as WasmBackend;
  const linear = (activation ?? 'linear') === 'linear';
  const blas = activeBlas();
  const viaBlas = blas && linear && !preluActivationWeights && a && b && blasBatchMatMul(blas, wasm, a, b, transposeA === true, transposeB === true, bias);
  if (viaBlas) return viaBlas;
  const untransposed2d = !transposeA && !transposeB && sizeOf((a as tf.TensorInfo).shape.slice(0, -2)) === 1 && sizeOf((b as tf.TensorInfo).shape.slice(0, -2)) === 1;
  if (untransposed2d) return (originalFused as KernelFn)(call);
  let out = routedBatchMatMul({ inputs: { a, b } as tf.NamedTensorInfoMap, backend: wasm, attrs: { transposeA: transposeA === true, transposeB: transposeB === true } }) as tf.TensorInfo;
  const then = (kernel: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}) => {
    const next = kernelFn(kernel, 'wasm')({ inputs, backend: wasm, attrs }) as tf.TensorInfo;
    wasm.disposeData(out.dataId);
    out = next;
  };
  if (bias) then(tf.Add, { a: out, b: bias });
  if (!linear) {
    const make = ACTIVATIONS[activation as string];
    if (!make) throw new RangeError(`fused matMul: unknown activation '${activation}'`);
    then(...make(out, preluActivationWeights, leakyreluAlpha));
  }
  return out;
};

export function isWasmMatMulRouted(): boolean {
  return original !== undefined && tf.getKernel(tf.BatchMatMul, 'wasm')?.kernelFunc === (routedBatchMatMul as unknown);
}

const routedBatchMatMul: KernelFn = ({ inputs, backend, attrs }) => {
  const wasm = backend as WasmBackend;
  const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = (attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
  const blas = activeBlas();
  const viaBlas = blas && blasBatchMatMul(blas, wasm, a, b, transposeA === true, transposeB === true);
  if (viaBlas) return viaBlas;
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  const fastOriginal = original as KernelFn;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || (batchA !== batchB && batchA !== 1 && batchB !== 1)) {
    return fastOriginal({ inputs, backend, attrs });
  }
  const outBatchShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const temps: tf.TensorInfo[] = [];
  const a3 = asUntransposed3d(wasm, a, batchA, transposeA === true, temps);
  const b3 = asUntransposed3d(wasm, b, batchB, transposeB === true, temps);
  const [, m, k] = a3.shape as [number, number, number];
  const n = b3.shape[2] as number;
  let out: tf.TensorInfo;
  if (batchB === 1) {
    out = product2d(wasm, reshapeInfo(wasm, a3, [1, batchA * m, k], temps), b3);
  } else {
    out = slicedProducts(wasm, a3, b3, batchA, batchB, m, k, n);
  }
  for (const t of temps) wasm.disposeData(t.dataId);
  out.shape = [...outBatchShape, m, n];
  return out;
};

/** [batch, rows, cols] view of x with its last two axes transposed if asked (materialised). */
function asUntransposed3d(
  wasm: WasmBackend,
  x: tf.TensorInfo,
  batch: number,
  transpose: boolean,
  temps: tf.TensorInfo[],
): tf.TensorInfo {
  const r = x.shape.length;
  const rows = x.shape[r - 2] as number;
  const cols = x.shape[r - 1] as number;
  const x3 = reshapeInfo(wasm, x, [batch, rows, cols], temps);
  if (!transpose) return x3;
  const t = kernelFn(tf.Transpose, 'wasm')({ inputs: { x: x3 }, backend: wasm, attrs: { perm: [0, 2, 1] } }) as tf.TensorInfo;
  temps.push(t);
  return t;
}

function reshapeInfo(wasm: WasmBackend, x: tf.TensorInfo, shape: number[], temps: tf.TensorInfo[]): tf.TensorInfo {
  const r = kernelFn(tf.Reshape, 'wasm')({ inputs: { x }, backend: wasm, attrs: { shape } }) as tf.TensorInfo;
  temps.push(r);
  return r;
}

/**
 * XNNPACK packs the right operand ("weights") once and caches the packing by tensor id. A reshape shares its input's
 * id, so one buffer can reach this kernel as [k, n] and later as [k', n'] (a gradient feeding two Linears whose inputs
 * were reshaped differently); the second product would read the first packing — garbage. The shape each id was first
 * used with is remembered (weakly, by its dataId object), and a buffer that comes back with another shape is copied
 * into a fresh tensor first.
 */
const packedShape = new WeakMap<object, string>();

function product2d(wasm: WasmBackend, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  const shape = `${b.shape[b.shape.length - 2]}x${b.shape[b.shape.length - 1]}`;
  const seen = packedShape.get(b.dataId);
  const fresh = seen !== undefined && seen !== shape ? copySlice(wasm, b, [...b.shape], 0) : undefined;
  if (seen === undefined) packedShape.set(b.dataId, shape);
  try {
    return (original as KernelFn)({ inputs: { a, b: fresh ?? b }, backend: wasm, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;
  } finally {
    if (fresh) wasm.disposeData(fresh.dataId);
  }
}

/** One fast product per batch slice; a shared `a` (batchA = 1) is reused for every slice. */
function slicedProducts(
  wasm: WasmBackend,
  a3: tf.TensorInfo,
  b3: tf.TensorInfo,
  batchA: number,
  batchB: number,
  m: number,
  k: number,
  n: number,
): tf.TensorInfo {
  const batch = Math.max(batchA, batchB);
  const out = wasm.makeOutput([batch, m, n], 'float32');
  // The left operand is read once per call, so one scratch tensor serves every slice; the right one is the
  // "weights" XNNPACK packs and caches per tensor id, so each slice gets a fresh one (a reused id would go stale).
  const scratchA = batchA === 1 ? a3 : wasm.makeOutput([1, m, k], 'float32');
  for (let i = 0; i < batch; i++) {
    if (scratchA !== a3) copyInto(wasm, a3, scratchA, i * m * k);
    const sliceB = copySlice(wasm, b3, [1, k, n], i * k * n);
    const part = product2d(wasm, scratchA, sliceB);
    (wasm.typedArrayFromHeap(out) as Float32Array).set(wasm.typedArrayFromHeap(part) as Float32Array, i * m * n);
    wasm.disposeData(part.dataId);
    wasm.disposeData(sliceB.dataId);
  }
  if (scratchA !== a3) wasm.disposeData(scratchA.dataId);
  return out;
}

/** Copies `from`'s elements [offset, offset + size(to)) into `to`. */
function copyInto(wasm: WasmBackend, from: tf.TensorInfo, to: tf.TensorInfo, offset: number): void {
  const target = wasm.typedArrayFromHeap(to) as Float32Array;
  target.set((wasm.typedArrayFromHeap(from) as Float32Array).subarray(offset, offset + target.length));
}

/** A new tensor holding `from`'s elements [offset, offset + size(shape)). Heap views are read after allocating. */
function copySlice(wasm: WasmBackend, from: tf.TensorInfo, shape: number[], offset: number): tf.TensorInfo {
  const slice = wasm.makeOutput(shape, 'float32');
  const source = wasm.typedArrayFromHeap(from) as Float32Array;
  (wasm.typedArrayFromHeap(slice) as Float32Array).set(source.subarray(offset, offset + sizeOf(shape)));
  return slice;
}
