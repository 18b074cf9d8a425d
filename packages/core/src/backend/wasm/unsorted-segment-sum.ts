import { tf } from '../../tf.js';
import { setWasmKernel, sizeOf, type KernelFn, type WasmBackend } from './kernel-access.js';

/**
 * UnsortedSegmentSum on the wasm heap: out[seg[i]] += x[i] over rows of x. It is the gradient of gather (every
 * embedding lookup); wasm has no kernel and cpu's costs seconds per GPT training step (TFJS-NOTES.md).
 * Ids outside [0, numSegments) are dropped, as TensorFlow does.
 */
export const unsortedSegmentSum: KernelFn = ({ inputs, backend, attrs }) => {
  const wasm = backend as WasmBackend;
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as { numSegments: number };
  const rows = sizeOf(segmentIds.shape);
  const inner = sizeOf(x.shape) / Math.max(rows, 1);
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = wasm.makeOutput(outShape, x.dtype);
  const target = wasm.typedArrayFromHeap(out);
  const values = wasm.typedArrayFromHeap(x);
  const ids = wasm.typedArrayFromHeap(segmentIds);
  target.fill(0);
  for (let i = 0; i < rows; i++) {
    const segment = ids[i] as number;
    if (segment < 0 || segment >= numSegments) continue;
    const from = i * inner;
    const to = segment * inner;
    for (let j = 0; j < inner; j++) target[to + j] = (target[to + j] as number) + (values[from + j] as number);
  }
  return out;
};

export function installUnsortedSegmentSum(): void {
  setWasmKernel(tf.UnsortedSegmentSum, unsortedSegmentSum);
}
