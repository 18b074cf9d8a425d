import type { Conv2dGeometry, Conv2dPass, GemmArgs, GroupNormArgs, LayerNormArgs, NativeBlas } from './addon.js';
import { referenceConv2d, referenceFilterLogits, referenceGemm, referenceGroupNorm, referenceL2Normalize, referenceLayerNorm } from './reference.js';

type GemmShape = Omit<GemmArgs, 'a' | 'b' | 'c'>;

const plain = { batch: 1, transposeA: false, transposeB: false, strideA: 0, strideB: 0 };
/** Every transpose, batched with strides, a shared right matrix (folded into rows), a shared left one, k = 0,
 * a product large enough for OpenBLAS to split across threads, and GELU after a product (a binary older than the
 * `gelu` option ignores it and fails here). */
const GEMM_CASES: readonly GemmShape[] = [
  { ...plain, m: 5, n: 7, k: 9 },
  { ...plain, m: 5, n: 7, k: 9, transposeA: true },
  { ...plain, m: 5, n: 7, k: 9, transposeB: true },
  { ...plain, m: 5, n: 7, k: 9, transposeA: true, transposeB: true },
  { ...plain, batch: 3, m: 4, n: 6, k: 5, transposeB: true, strideA: 20, strideB: 30 },
  { ...plain, batch: 3, m: 4, n: 6, k: 5, strideA: 20, strideB: 0 },
  { ...plain, batch: 2, m: 4, n: 6, k: 5, transposeA: true, strideA: 0, strideB: 30 },
  { ...plain, m: 3, n: 2, k: 0 },
  { ...plain, m: 96, n: 96, k: 96 },
  { ...plain, m: 5, n: 7, k: 9, gelu: true },
  { ...plain, batch: 3, m: 4, n: 6, k: 5, strideA: 20, strideB: 0, gelu: true },
];

const conv = (g: Partial<Conv2dGeometry>): Conv2dGeometry => ({
  batch: 2, inHeight: 7, inWidth: 6, inChannels: 3, outHeight: 4, outWidth: 3, outChannels: 5,
  filterHeight: 3, filterWidth: 3, strideHeight: 2, strideWidth: 2, dilationHeight: 1, dilationWidth: 1,
  padTop: 1, padLeft: 0, ...g,
});
/** Strided with asymmetric padding, dilated, 1×1 (the input is the patch matrix), and 3×3 "same" over 32 channels
 * (oneDNN's blocked kernels, where the addon is built with oneDNN). */
const CONV_CASES: readonly Conv2dGeometry[] = [
  conv({}),
  conv({ strideHeight: 1, strideWidth: 1, dilationHeight: 2, dilationWidth: 2, padTop: 2, padLeft: 2, outHeight: 7, outWidth: 6 }),
  conv({ filterHeight: 1, filterWidth: 1, strideHeight: 1, strideWidth: 1, padTop: 0, outHeight: 7, outWidth: 6 }),
  conv({ batch: 1, inHeight: 6, inWidth: 5, inChannels: 32, outChannels: 32, outHeight: 6, outWidth: 5, strideHeight: 1, strideWidth: 1, padLeft: 1 }),
];

type GroupNormShape = Omit<GroupNormArgs, 'x' | 'y' | 'weight' | 'bias'> & { readonly affine: boolean };
/** Several groups of several channels (an odd channel count per row), one channel per group, one group; with and
 * without weight and bias, with and without SiLU, and a row long enough for the vector loops' main body and tail. */
const GROUP_NORM_CASES: readonly GroupNormShape[] = [
  { batch: 2, positions: 7, channels: 6, groups: 2, eps: 1e-6, silu: true, affine: true },
  { batch: 1, positions: 5, channels: 4, groups: 4, eps: 1e-5, silu: false, affine: true },
  { batch: 1, positions: 3, channels: 5, groups: 1, eps: 1e-5, silu: true, affine: false },
  { batch: 1, positions: 9, channels: 67, groups: 1, eps: 1e-6, silu: true, affine: true },
];

type LayerNormShape = Omit<LayerNormArgs, 'x' | 'y' | 'weight' | 'bias' | 'scale' | 'shift'> & { readonly affine: 'none' | 'weight' | 'both' };
/** Rows shorter and longer than the 8 float64 lanes, with each affine form, and modulated in groups of rows (a binary
 * older than the modulation ignores it and fails here). */
const LAYER_NORM_CASES: readonly LayerNormShape[] = [
  { rows: 3, dim: 5, eps: 1e-6, affine: 'none' },
  { rows: 2, dim: 37, eps: 1e-5, affine: 'both' },
  { rows: 1, dim: 16, eps: 1e-5, affine: 'weight' },
  { rows: 6, dim: 11, eps: 1e-6, affine: 'none', rowsPerGroup: 3 },
];

/** Deterministic values in [-1, 1). */
function values(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

/** Lays arrays out one after another in one buffer (16-byte aligned, after a gap), like tensors on the wasm heap. */
function layOut(arrays: readonly Float32Array[]): { heap: Float32Array; offsets: number[] } {
  const offsets: number[] = [];
  let floats = 4;
  for (const array of arrays) {
    offsets.push(floats * 4);
    floats += Math.ceil(Math.max(array.length, 1) / 4) * 4 + 4;
  }
  const heap = new Float32Array(floats).fill(Number.NaN);
  arrays.forEach((array, i) => heap.set(array, (offsets[i] as number) / 4));
  return { heap, offsets };
}

function worstError(got: Float32Array, want: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const error = Math.abs((got[i] as number) - (want[i] as number)) / (1 + Math.abs(want[i] as number));
    worst = Number.isNaN(error) ? Infinity : Math.max(worst, error);
  }
  return worst;
}

const TOLERANCE = 1e-4;

function checkGemm(blas: NativeBlas, shape: GemmShape, seed: number): string | undefined {
  const sizeA = (shape.batch - 1) * shape.strideA + shape.m * shape.k;
  const sizeB = (shape.batch - 1) * shape.strideB + shape.k * shape.n;
  const a = values(sizeA, seed);
  const b = values(sizeB, seed + 1);
  const { heap, offsets } = layOut([a, b, new Float32Array(shape.batch * shape.m * shape.n)]);
  const [oa, ob, oc] = offsets as [number, number, number];
  blas.gemm(heap, { ...shape, a: oa, b: ob, c: oc });
  const got = heap.subarray(oc / 4, oc / 4 + shape.batch * shape.m * shape.n);
  const error = worstError(got, referenceGemm(shape, a, b));
  return error <= TOLERANCE ? undefined : `gemm ${JSON.stringify(shape)}: relative error ${error}`;
}

function checkConv(blas: NativeBlas, g: Conv2dGeometry, seed: number): string | undefined {
  const x = values(g.batch * g.inHeight * g.inWidth * g.inChannels, seed);
  const w = values(g.filterHeight * g.filterWidth * g.inChannels * g.outChannels, seed + 1);
  const dy = values(g.batch * g.outHeight * g.outWidth * g.outChannels, seed + 2);
  const reference = referenceConv2d(g, x, w, dy);
  const passes: ReadonlyArray<[Conv2dPass, Float64Array, 'x' | 'filter' | 'y']> = [
    ['forward', reference.y, 'y'],
    ['inputGradient', reference.dx, 'x'],
    ['filterGradient', reference.dw, 'filter'],
  ];
  for (const [pass, want, written] of passes) {
    const operands = { x, filter: w, y: dy };
    const { heap, offsets } = layOut([operands.x, operands.filter, operands.y]);
    const [ox, ofilter, oy] = offsets as [number, number, number];
    const at = { x: ox, filter: ofilter, y: oy }[written];
    heap.fill(Number.NaN, at / 4, at / 4 + want.length); // what the pass writes must all be written
    blas.conv2d(heap, { ...g, pass, x: ox, filter: ofilter, y: oy });
    const error = worstError(heap.subarray(at / 4, at / 4 + want.length), want);
    if (error > TOLERANCE) return `conv2d ${pass} ${JSON.stringify(g)}: relative error ${error}`;
  }
  return undefined;
}

function checkGroupNorm(blas: NativeBlas, shape: GroupNormShape, seed: number): string | undefined {
  const { affine, ...args } = shape;
  const count = args.batch * args.positions * args.channels;
  // Values offset from 0 so that the mean matters; SiLU's negative side is reached after the normalisation.
  const x = values(count, seed).map((v) => 3 + 2 * v);
  const weight = affine ? values(args.channels, seed + 1) : undefined;
  const bias = affine ? values(args.channels, seed + 2) : undefined;
  const { heap, offsets } = layOut([x, new Float32Array(count), ...(weight && bias ? [weight, bias] : [])]);
  const [ox, oy, ow, ob] = offsets as [number, number, number?, number?];
  blas.groupNorm(heap, { ...args, x: ox, y: oy, ...(ow !== undefined && ob !== undefined ? { weight: ow, bias: ob } : {}) });
  const error = worstError(heap.subarray(oy / 4, oy / 4 + count), referenceGroupNorm(args, x, weight, bias));
  return error <= TOLERANCE ? undefined : `groupNorm ${JSON.stringify(shape)}: relative error ${error}`;
}

function checkLayerNorm(blas: NativeBlas, shape: LayerNormShape, seed: number): string | undefined {
  const { affine, ...args } = shape;
  const count = args.rows * args.dim;
  const x = values(count, seed).map((v) => 2 + 3 * v);
  const weight = affine !== 'none' ? values(args.dim, seed + 1) : undefined;
  const bias = affine === 'both' ? values(args.dim, seed + 2) : undefined;
  const groups = args.rowsPerGroup ? args.rows / args.rowsPerGroup : 0;
  const modulation = groups ? { scale: values(groups * args.dim, seed + 3), shift: values(groups * args.dim, seed + 4) } : undefined;
  const inputs = [x, new Float32Array(count), weight, bias, modulation?.scale, modulation?.shift];
  const { heap, offsets } = layOut(inputs.filter((a): a is Float32Array => a !== undefined));
  const named = (['x', 'y', 'weight', 'bias', 'scale', 'shift'] as const).filter((_, i) => inputs[i] !== undefined);
  const at = Object.fromEntries(named.map((name, i) => [name, offsets[i] as number])) as Record<(typeof named)[number], number>;
  blas.layerNorm(heap, { ...args, ...at });
  const oy = at.y;
  const error = worstError(heap.subarray(oy / 4, oy / 4 + count), referenceLayerNorm(args, x, weight, bias, modulation));
  return error <= TOLERANCE ? undefined : `layerNorm ${JSON.stringify(shape)}: relative error ${error}`;
}

/** Rows of [B = 2, H = 3, L = 2, d = 11] (shorter and longer than the 8 float64 lanes) with a per-head scale, and a zero row (the eps floor). */
function checkL2Normalize(blas: NativeBlas): string | undefined {
  const args = { rows: 12, dim: 11, eps: 1e-12, scales: 3, rowsPerScale: 2 };
  const x = values(args.rows * args.dim, 23).map((v, i) => (i < args.dim ? 0 : v));
  const scale = values(args.scales, 29).map((v) => 2 + v);
  const { heap, offsets } = layOut([x, new Float32Array(x.length), scale]);
  const [ox, oy, os] = offsets as [number, number, number];
  blas.l2Normalize(heap, { ...args, x: ox, y: oy, scale: os });
  const error = worstError(heap.subarray(oy / 4, oy / 4 + x.length), referenceL2Normalize(args, x, scale));
  return error <= TOLERANCE ? undefined : `l2Normalize ${JSON.stringify(args)}: relative error ${error}`;
}

/** Logits with runs of equal values (rounded to quarters) and −inf entries, filtered by top-k then top-p: the mask must equal the definition's exactly. */
function checkFilterLogits(blas: NativeBlas): string | undefined {
  const args = { rows: 3, vocab: 50, topK: 20, topP: 0.8 };
  const logits = values(args.rows * args.vocab, 17).map((v, i) => (i % 11 === 0 ? -Infinity : Math.round(v * 12) / 4));
  const heap = Float32Array.from(logits);
  blas.filterLogits(heap, { ...args, values: 0 });
  const want = referenceFilterLogits(args, logits);
  const wrong = want.findIndex((v, i) => v !== heap[i]);
  return wrong < 0 ? undefined : `filterLogits ${JSON.stringify(args)}: entry ${wrong} is ${heap[wrong]}, the definition gives ${want[wrong]}`;
}

/**
 * Runs the addon on small products, convolutions, group and layer norms of every kind the backend routes to it, against plain-loop
 * references, in ordinary ArrayBuffers. Returns the first failure, or undefined when all agree within float32
 * rounding. A few milliseconds.
 */
export function selfCheck(blas: NativeBlas): string | undefined {
  for (const [i, shape] of GEMM_CASES.entries()) {
    const failure = checkGemm(blas, shape, 11 * i + 1);
    if (failure) return failure;
  }
  for (const [i, geometry] of CONV_CASES.entries()) {
    const failure = checkConv(blas, geometry, 101 * i + 7);
    if (failure) return failure;
  }
  for (const [i, shape] of GROUP_NORM_CASES.entries()) {
    if (typeof blas.groupNorm !== 'function') return 'the binary has no groupNorm (built from an older version): rebuild it';
    const failure = checkGroupNorm(blas, shape, 31 * i + 5);
    if (failure) return failure;
  }
  if (typeof blas.l2Normalize !== 'function') return 'the binary has no l2Normalize (built from an older version): rebuild it';
  const l2Failure = checkL2Normalize(blas);
  if (l2Failure) return l2Failure;
  if (typeof blas.filterLogits !== 'function') return 'the binary has no filterLogits (built from an older version): rebuild it';
  const filterFailure = checkFilterLogits(blas);
  if (filterFailure) return filterFailure;
  for (const [i, shape] of LAYER_NORM_CASES.entries()) {
    if (typeof blas.layerNorm !== 'function') return 'the binary has no layerNorm (built from an older version): rebuild it';
    const failure = checkLayerNorm(blas, shape, 41 * i + 3);
    if (failure) return failure;
  }
  return undefined;
}
