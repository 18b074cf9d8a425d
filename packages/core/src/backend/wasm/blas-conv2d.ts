import type { Conv2dArgs, Conv2dGeometry, NativeBlas } from '@nextx/native-blas';
import { tf } from '../../tf.js';
import { heapOffset, heapView, kernelFn, setWasmKernel, type KernelFn, type WasmBackend } from './kernel-access.js';
import { isRowBias } from './blas-matmul.js';
import { activeBlas } from './native-blas.js';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function geometry(info: tf.backend_util.Conv2DInfo): Conv2dGeometry {
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

function convInfo(xShape: number[], filterShape: number[], attrs: ConvAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const allFloat = (...infos: tf.TensorInfo[]) => infos.every((t) => t.dtype === 'float32' && t.shape.every((d) => d > 0));

type Pass = (blas: NativeBlas, wasm: WasmBackend, inputs: tf.NamedTensorInfoMap, attrs: ConvAttrs) => tf.TensorInfo | undefined;

/** Runs one pass in place on the heap. The output is allocated before the call, so the heap view taken here is current. */
function run(
  blas: NativeBlas,
  wasm: WasmBackend,
  args: Omit<Conv2dArgs, 'x' | 'filter' | 'y' | 'bias'>,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  y: tf.TensorInfo,
  bias?: tf.TensorInfo,
) {
  blas.conv2d(heapView(wasm), {
    ...args,
    x: heapOffset(wasm, x),
    filter: heapOffset(wasm, filter),
    y: heapOffset(wasm, y),
    ...(bias ? { bias: heapOffset(wasm, bias) } : {}),
  });
}

/** A kernel that runs on OpenBLAS when the addon is active and takes the case, else the kernel it replaced. */
function withBlas(kernelName: string, viaBlas: Pass): void {
  const previous = kernelFn(kernelName, 'wasm');
  const kernel: KernelFn = (call) => {
    const attrs = call.attrs as unknown as ConvAttrs;
    const blas = activeBlas();
    const out = blas && attrs.dataFormat !== 'NCHW' ? viaBlas(blas, call.backend as WasmBackend, call.inputs, attrs) : undefined;
    return out ?? previous(call);
  };
  setWasmKernel(kernelName, kernel);
}

const forward: Pass = (blas, wasm, inputs, attrs) => {
  const { x, filter, bias } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo; bias?: tf.TensorInfo };
  if (!allFloat(x, filter) || x.shape[3] !== filter.shape[2]) return undefined;
  if (bias && !isRowBias(bias, filter.shape[3] as number)) return undefined;
  const info = convInfo(x.shape, filter.shape, attrs);
  const y = wasm.makeOutput(info.outShape, 'float32');
  run(blas, wasm, { pass: 'forward', ...geometry(info) }, x, filter, y, bias);
  return y;
};

/** tf.fused.conv2d with a bias and no activation (nextx's Conv2d): the forward pass with the bias added in the product. */
const fusedForward: Pass = (blas, wasm, inputs, attrs) => {
  const activation = (attrs as unknown as { activation?: string }).activation ?? 'linear';
  return activation === 'linear' && !inputs['preluActivationWeights'] ? forward(blas, wasm, inputs, attrs) : undefined;
};

const inputGradient: Pass = (blas, wasm, inputs, attrs) => {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { inputShape } = attrs as unknown as { inputShape: number[] };
  if (!allFloat(dy, filter)) return undefined;
  const info = convInfo(inputShape, filter.shape, { ...attrs, dilations: 1 });
  if (!sameShape(info.outShape, dy.shape) || inputShape[3] !== filter.shape[2]) return undefined;
  const dx = wasm.makeOutput(inputShape, 'float32');
  run(blas, wasm, { pass: 'inputGradient', ...geometry(info) }, dx, filter, dy);
  return dx;
};

const filterGradient: Pass = (blas, wasm, inputs, attrs) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { filterShape } = attrs as unknown as { filterShape: number[] };
  if (!allFloat(x, dy)) return undefined;
  const info = convInfo(x.shape, filterShape, { ...attrs, dilations: 1 });
  if (!sameShape(info.outShape, dy.shape) || x.shape[3] !== filterShape[2]) return undefined;
  const dw = wasm.makeOutput(filterShape, 'float32');
  run(blas, wasm, { pass: 'filterGradient', ...geometry(info) }, x, dw, dy);
  return dw;
};

/**
 * Conv2D (and FusedConv2D with a bias and no activation) and both of its gradient kernels on OpenBLAS where @nextx/native-blas is active (im2col in blocks + sgemm,
 * in place on the heap; conv1d is a conv2d in tfjs); the kernels they replace otherwise: XNNPACK's forward conv,
 * tfjs's Conv2DBackpropInput loop and nextx's im2col Conv2DBackpropFilter (XNNPACK's fused conv for FusedConv2D).
 * Install after those.
 */
export function installBlasConv2d(): void {
  withBlas(tf.Conv2D, forward);
  withBlas(tf.FusedConv2D, fusedForward);
  withBlas(tf.Conv2DBackpropInput, inputGradient);
  withBlas(tf.Conv2DBackpropFilter, filterGradient);
}
