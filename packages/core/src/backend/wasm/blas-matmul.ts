import type { NativeBlas } from '@nextx/native-blas';
import { tf } from '../../tf.js';
import { heapOffset, heapView, sizeOf, type WasmBackend } from './kernel-access.js';

/**
 * BatchMatMul on OpenBLAS, in place on the wasm heap: the output is allocated on the heap and cblas_sgemm reads both
 * operands where they are, transposed or not (no materialised transposes, no per-slice copies, no packed weight copies
 * on the heap). A batch against one shared matrix is a single product (the addon folds it). A bias of n values is added
 * to every row inside the product (C starts as the bias); `gelu` applies GELU-tanh to the result. Returns undefined
 * for what it does not take (other dtypes, batch shapes that broadcast other than 1 against n, empty products): the
 * caller then runs the XNNPACK path.
 */
export function blasBatchMatMul(
  blas: NativeBlas,
  wasm: WasmBackend,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  bias?: tf.TensorInfo,
  gelu = false,
): tf.TensorInfo | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return undefined;
  const [rowsA, colsA] = a.shape.slice(-2) as [number, number];
  const [rowsB, colsB] = b.shape.slice(-2) as [number, number];
  const m = transposeA ? colsA : rowsA;
  const k = transposeA ? rowsA : colsA;
  const n = transposeB ? rowsB : colsB;
  if ((transposeB ? colsB : rowsB) !== k || m === 0 || n === 0) return undefined;
  if (bias && !isRowBias(bias, n)) return undefined;
  const outBatchShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = wasm.makeOutput([...outBatchShape, m, n], 'float32');
  blas.gemm(heapView(wasm), {
    batch: Math.max(batchA, batchB),
    m,
    n,
    k,
    transposeA,
    transposeB,
    a: heapOffset(wasm, a),
    strideA: batchA === 1 ? 0 : m * k,
    b: heapOffset(wasm, b),
    strideB: batchB === 1 ? 0 : k * n,
    c: heapOffset(wasm, out),
    ...(bias ? { bias: heapOffset(wasm, bias) } : {}),
    ...(gelu ? { gelu } : {}),
  });
  return out;
}

/** A float32 bias of n values that broadcasts along the last axis ([n], [1, n], …): what the addon adds to every row. */
export function isRowBias(bias: tf.TensorInfo, n: number): boolean {
  return bias.dtype === 'float32' && bias.shape[bias.shape.length - 1] === n && sizeOf(bias.shape) === n;
}
