import { tf } from '../../tf.js';
import { kernelFn, setWasmKernel, type KernelFn, type WasmBackend } from './kernel-access.js';

/**
 * Conv2DBackpropFilter for wasm (NHWC): dW[kh,kw,ci,co] = Σ_{b,y,x} xpad[b, y·s+kh·d, x·s+kw·d, ci] · dy[b,y,x,co].
 * Built as im2col (patches P [B·Ho·Wo, kh·kw·Ci]) followed by Pᵀ·dY — one matMul that the routed BatchMatMul
 * runs on XNNPACK's fast path. wasm has no kernel for it; it is in every conv training step.
 */
export const conv2dBackpropFilter: KernelFn = ({ inputs, backend, attrs }) => {
  const wasm = backend as WasmBackend;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const patchWidth = info.filterHeight * info.filterWidth * info.inChannels;
  const patches = wasm.makeOutput([rows, patchWidth], 'float32');
  fillPatches(wasm.typedArrayFromHeap(patches) as Float32Array, wasm.typedArrayFromHeap(x) as Float32Array, info);
  const dy2 = kernelFn(tf.Reshape, 'wasm')({
    inputs: { x: dy },
    backend: wasm,
    attrs: { shape: [rows, info.outChannels] },
  }) as tf.TensorInfo;
  // dWᵀ = dYᵀ·P: transposing dY [rows, Co] is far cheaper than transposing the patches [rows, kh·kw·Ci].
  const productT = kernelFn(tf.BatchMatMul, 'wasm')({
    inputs: { a: dy2, b: patches },
    backend: wasm,
    attrs: { transposeA: true, transposeB: false },
  }) as tf.TensorInfo;
  wasm.disposeData(patches.dataId);
  wasm.disposeData(dy2.dataId);
  const product = kernelFn(tf.Transpose, 'wasm')({ inputs: { x: productT }, backend: wasm, attrs: { perm: [1, 0] } }) as tf.TensorInfo;
  wasm.disposeData(productT.dataId);
  const out = kernelFn(tf.Reshape, 'wasm')({ inputs: { x: product }, backend: wasm, attrs: { shape: filterShape } });
  wasm.disposeData(product.dataId);
  return out;
};

/** Row r = (b, y, x) holds the receptive field in (kh, kw, ci) order; zero where it falls in the padding. */
function fillPatches(patches: Float32Array, x: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  let p = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        for (let kh = 0; kh < filterHeight; kh++) {
          const iy = oy * strideHeight + kh * dilationHeight - top;
          for (let kw = 0; kw < filterWidth; kw++) {
            const ix = ox * strideWidth + kw * dilationWidth - left;
            if (iy < 0 || iy >= inHeight || ix < 0 || ix >= inWidth) {
              patches.fill(0, p, p + inChannels);
            } else {
              const from = ((b * inHeight + iy) * inWidth + ix) * inChannels;
              patches.set(x.subarray(from, from + inChannels), p);
            }
            p += inChannels;
          }
        }
      }
    }
  }
}

export function installConv2dBackpropFilter(): void {
  setWasmKernel(tf.Conv2DBackpropFilter, conv2dBackpropFilter);
}
