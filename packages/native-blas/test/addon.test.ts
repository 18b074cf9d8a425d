import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { binaryCandidates, loadNativeBlas, type Conv2dGeometry, type GemmArgs, type NativeBlas } from '../src/index.js';
import { referenceConv2d, referenceFilterLogits, referenceGemm, referenceGroupNorm, referenceL2Normalize, referenceLayerNorm } from '../src/reference.js';

/**
 * The compiled addon against the plain-loop references, and its argument checks. Where it is not built (a machine
 * without OpenBLAS or a compiler), the one test here checks that the reason given is the true one; CI builds it where
 * apt can install OpenBLAS and sets NEXTX_BLAS=1, which makes its absence a failure.
 */
const load = loadNativeBlas();

function random(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed;
  for (let i = 0; i < count; i++) {
    s = (s * 16807) % 2147483647;
    out[i] = s / 1073741823.5 - 1;
  }
  return out;
}

function expectClose(got: Float32Array, want: Float64Array): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    worst = Math.max(worst, Math.abs((got[i] as number) - (want[i] as number)) / (1 + Math.abs(want[i] as number)));
  }
  expect(worst).toBeLessThan(2e-5);
}

/** A heap holding the given arrays one after another at 64-byte boundaries, with room for an output. */
function heapWith(arrays: Float32Array[], outputFloats: number, shared = false) {
  const offsets: number[] = [];
  let floats = 16;
  for (const a of [...arrays, new Float32Array(outputFloats)]) {
    offsets.push(floats * 4);
    floats += Math.ceil(a.length / 16) * 16 + 16;
  }
  const buffer = shared ? new SharedArrayBuffer(floats * 4) : new ArrayBuffer(floats * 4);
  const heap = new Float32Array(buffer);
  arrays.forEach((a, i) => heap.set(a, (offsets[i] as number) / 4));
  return { heap, offsets, output: (n: number) => heap.subarray((offsets.at(-1) as number) / 4, (offsets.at(-1) as number) / 4 + n) };
}

function runGemm(blas: NativeBlas, shape: Omit<GemmArgs, 'a' | 'b' | 'c'>, shared = false) {
  const a = random((shape.batch - 1) * shape.strideA + shape.m * shape.k, 3);
  const b = random((shape.batch - 1) * shape.strideB + shape.k * shape.n, 5);
  const { heap, offsets, output } = heapWith([a, b], shape.batch * shape.m * shape.n, shared);
  blas.gemm(heap, { ...shape, a: offsets[0] as number, b: offsets[1] as number, c: offsets[2] as number });
  return { got: output(shape.batch * shape.m * shape.n), want: referenceGemm(shape, a, b) };
}

const one = { batch: 1, transposeA: false, transposeB: false, strideA: 0, strideB: 0 };
const gemmCases: Array<[string, Omit<GemmArgs, 'a' | 'b' | 'c'>]> = [
  ['2-D, odd sizes', { ...one, m: 131, n: 77, k: 203 }],
  ['transposeA', { ...one, m: 64, n: 48, k: 100, transposeA: true }],
  ['transposeB', { ...one, m: 64, n: 48, k: 100, transposeB: true }],
  ['both transposed', { ...one, m: 33, n: 65, k: 17, transposeA: true, transposeB: true }],
  ['batched q·kᵀ', { ...one, batch: 6, m: 40, n: 40, k: 16, transposeB: true, strideA: 640, strideB: 640 }],
  ['batch against a shared right matrix (folded)', { ...one, batch: 5, m: 30, n: 20, k: 12, strideA: 360, strideB: 0 }],
  ['shared left matrix against a batch', { ...one, batch: 4, m: 30, n: 20, k: 12, strideA: 0, strideB: 240, transposeA: true }],
  ['large enough to be split across threads', { ...one, m: 300, n: 256, k: 200 }],
];

const geometry = (g: Partial<Conv2dGeometry>): Conv2dGeometry => ({
  batch: 2, inHeight: 9, inWidth: 8, inChannels: 5, outHeight: 9, outWidth: 8, outChannels: 6, filterHeight: 3,
  filterWidth: 3, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, padTop: 1, padLeft: 1, ...g,
});
const convCases: Array<[string, Conv2dGeometry]> = [
  ['3×3 same', geometry({})],
  ['stride 2 with right/bottom padding only', geometry({ strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0, outHeight: 5, outWidth: 4 })],
  ['5×3 filter, stride 2×1, dilation 1×2', geometry({ filterHeight: 5, strideHeight: 2, dilationWidth: 2, padTop: 2, padLeft: 2, outHeight: 5 })],
  ['1×1 (the input is the patch matrix)', geometry({ filterHeight: 1, filterWidth: 1, padTop: 0, padLeft: 0 })],
  ['1×1 stride 2', geometry({ filterHeight: 1, filterWidth: 1, padTop: 0, padLeft: 0, strideHeight: 2, strideWidth: 2, outHeight: 5, outWidth: 4 })],
  // 1,600 rows × 1,350 patch floats: more than one block of the patch matrix (2^21 floats).
  ['larger than one im2col block', geometry({ batch: 1, inHeight: 40, inWidth: 40, inChannels: 150, outHeight: 40, outWidth: 40, outChannels: 4 })],
  // A VQVAE decoder's layer: oneDNN's blocked kernel where the addon is built with oneDNN; stride 2 with the
  // down-sampler's right/bottom padding, 64 channels.
  ['3×3 same over 32 channels (a decoder layer)', geometry({ batch: 2, inHeight: 12, inWidth: 11, inChannels: 32, outHeight: 12, outWidth: 11, outChannels: 32 })],
  ['3×3 stride 2 over 64 channels, right/bottom padding', geometry({ batch: 1, inHeight: 12, inWidth: 12, inChannels: 64, outHeight: 6, outWidth: 6, outChannels: 64, strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0 })],
];

describe(load.ok ? 'native addon (built here)' : `native addon (not usable here: ${load.reason})`, () => {
  if (!load.ok) {
    it('says truthfully why it is not usable', () => {
      expect(process.env['NEXTX_BLAS'], `NEXTX_BLAS=1 requires the addon, but: ${load.detail}`).not.toBe('1');
      // not built: the binary looked for is absent; any other reason: it is there but did not load or check out.
      expect(existsSync(load.binary as string)).toBe(load.reason !== 'not-built');
      if (load.reason === 'not-built' && !process.env['NEXTX_BLAS_BINARY']) expect(binaryCandidates().some((file) => existsSync(file))).toBe(false);
    });
    return;
  }
  const blas = load.blas;

  it.each(gemmCases)('gemm %s equals the reference on 1 and 2 threads', (_name, shape) => {
    for (const threads of [1, 2]) {
      blas.setThreads(threads);
      expect(blas.threads()).toBe(threads);
      const { got, want } = runGemm(blas, shape);
      expectClose(got, want);
    }
    blas.setThreads(1);
  });

  it.each(gemmCases.filter(([name]) => /odd|batched|folded|shared left/.test(name)))('gemm %s with a bias adds it to every row', (_name, shape) => {
    const a = random((shape.batch - 1) * shape.strideA + shape.m * shape.k, 3);
    const b = random((shape.batch - 1) * shape.strideB + shape.k * shape.n, 5);
    const bias = random(shape.n, 17);
    const { heap, offsets, output } = heapWith([a, b, bias], shape.batch * shape.m * shape.n);
    blas.gemm(heap, { ...shape, a: offsets[0] as number, b: offsets[1] as number, bias: offsets[2] as number, c: offsets[3] as number });
    const want = referenceGemm(shape, a, b).map((v, i) => v + (bias[i % shape.n] as number));
    expectClose(output(shape.batch * shape.m * shape.n), want);
  });

  it.each(convCases.filter(([name]) => /same|1×1 \(|larger|stride 2 over/.test(name)))('conv2d %s forward with a bias adds it to every pixel, on 1 and 2 threads', (_name, g) => {
    const x = random(g.batch * g.inHeight * g.inWidth * g.inChannels, 7);
    const w = random(g.filterHeight * g.filterWidth * g.inChannels * g.outChannels, 11);
    const bias = random(g.outChannels, 19);
    const rows = g.batch * g.outHeight * g.outWidth;
    const want = referenceConv2d(g, x, w, new Float32Array(rows * g.outChannels)).y.map((v, i) => v + (bias[i % g.outChannels] as number));
    const { heap, offsets, output } = heapWith([x, w, bias], rows * g.outChannels);
    const [ox, ow, ob, oy] = offsets as [number, number, number, number];
    for (const threads of [1, 2]) {
      blas.setThreads(threads);
      output(rows * g.outChannels).fill(Number.NaN);
      blas.conv2d(heap, { ...g, pass: 'forward', x: ox, filter: ow, bias: ob, y: oy });
      expectClose(output(rows * g.outChannels), want);
    }
    blas.setThreads(1);
  });

  it('works on a SharedArrayBuffer (the threaded wasm build\'s memory)', () => {
    const { got, want } = runGemm(blas, { ...one, m: 20, n: 30, k: 40, transposeB: true }, true);
    expectClose(got, want);
  });

  it.each(convCases)('conv2d %s: forward, input and filter gradients equal the reference', (_name, g) => {
    const x = random(g.batch * g.inHeight * g.inWidth * g.inChannels, 7);
    const w = random(g.filterHeight * g.filterWidth * g.inChannels * g.outChannels, 11);
    const dy = random(g.batch * g.outHeight * g.outWidth * g.outChannels, 13);
    const want = referenceConv2d(g, x, w, dy);
    const { heap, offsets } = heapWith([x, w, dy], 0);
    const [ox, ow, oy] = offsets as [number, number, number];
    const view = (offset: number, n: number) => heap.subarray(offset / 4, offset / 4 + n);
    // Each pass overwrites one operand: run them in the order that leaves the others' inputs intact.
    const saved = { x: view(ox, x.length).slice(), w: view(ow, w.length).slice() };
    blas.conv2d(heap, { ...g, pass: 'filterGradient', x: ox, filter: ow, y: oy });
    expectClose(view(ow, w.length), want.dw);
    view(ow, w.length).set(saved.w);
    blas.conv2d(heap, { ...g, pass: 'inputGradient', x: ox, filter: ow, y: oy });
    expectClose(view(ox, x.length), want.dx);
    view(ox, x.length).set(saved.x);
    blas.conv2d(heap, { ...g, pass: 'forward', x: ox, filter: ow, y: oy });
    expectClose(view(oy, dy.length), want.y);
  });

  const groupNormCases: Array<[string, { batch: number; positions: number; channels: number; groups: number; silu: boolean; affine: boolean }]> = [
    ['VQVAE-shaped (32 groups of 4, SiLU, affine)', { batch: 1, positions: 257, channels: 128, groups: 32, silu: true, affine: true }],
    ['two samples, odd channels per group, no SiLU', { batch: 2, positions: 33, channels: 15, groups: 5, silu: false, affine: true }],
    ['one group, no weight or bias', { batch: 1, positions: 40, channels: 3, groups: 1, silu: true, affine: false }],
  ];
  it.each(groupNormCases)('groupNorm %s equals the definition', (_name, { affine, ...shape }) => {
    const count = shape.batch * shape.positions * shape.channels;
    const x = random(count, 23).map((v) => 1.5 + 4 * v);
    const weight = random(shape.channels, 29);
    const bias = random(shape.channels, 31);
    const { heap, offsets, output } = heapWith(affine ? [x, weight, bias] : [x], count);
    const [ox, ow, ob] = offsets as [number, number, number];
    const y = offsets.at(-1) as number;
    blas.groupNorm(heap, { ...shape, eps: 1e-6, x: ox, y, ...(affine ? { weight: ow, bias: ob } : {}) });
    expectClose(output(count), referenceGroupNorm({ ...shape, eps: 1e-6 }, x, affine ? weight : undefined, affine ? bias : undefined));
  });

  it.each([
    ['VAR-shaped rows, weight and bias', 128, 256, 'both'],
    ['short rows (below 8 lanes), no affine', 5, 3, 'none'],
    ['odd rows, weight only', 7, 1031, 'weight'],
  ] as const)('layerNorm %s equals the definition', (_name, rows, dim, affine) => {
    const x = random(rows * dim, 37).map((v) => -2 + 5 * v);
    const weight = affine !== 'none' ? random(dim, 41) : undefined;
    const bias = affine === 'both' ? random(dim, 43) : undefined;
    const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
    const { heap, offsets, output } = heapWith(inputs, rows * dim);
    const y = offsets.at(-1) as number;
    blas.layerNorm(heap, { rows, dim, eps: 1e-6, x: offsets[0] as number, y, ...(weight ? { weight: offsets[1] as number } : {}), ...(bias ? { bias: offsets[2] as number } : {}) });
    expectClose(output(rows * dim), referenceLayerNorm({ rows, dim, eps: 1e-6 }, x, weight, bias));
  });

  it.each([
    ['VAR-shaped rows in 2 samples', 2 * 64, 256, 64, 'none'],
    ['odd rows, one group, weight and bias', 7, 37, 7, 'both'],
  ] as const)('layerNorm with the AdaLN modulation, %s, equals the definition', (_name, rows, dim, rowsPerGroup, affine) => {
    const groups = rows / rowsPerGroup;
    const x = random(rows * dim, 47).map((v) => 1 + 4 * v);
    const weight = affine === 'both' ? random(dim, 53) : undefined;
    const bias = affine === 'both' ? random(dim, 59) : undefined;
    const scale = random(groups * dim, 61);
    const shift = random(groups * dim, 67);
    const inputs = [x, scale, shift, ...(weight && bias ? [weight, bias] : [])];
    const { heap, offsets, output } = heapWith(inputs, rows * dim);
    const [ox, os, oh, ow, ob] = offsets as [number, number, number, number, number];
    const y = offsets.at(-1) as number;
    blas.layerNorm(heap, { rows, dim, eps: 1e-6, x: ox, y, scale: os, shift: oh, rowsPerGroup, ...(weight ? { weight: ow, bias: ob } : {}) });
    expectClose(output(rows * dim), referenceLayerNorm({ rows, dim, eps: 1e-6, rowsPerGroup }, x, weight, bias, { scale, shift }));
  });

  it.each([
    ['an MLP-shaped product with bias', 1, 128, 1024, 256, true],
    ['a batch against one matrix (folded), no bias', 3, 9, 70, 33, false],
  ] as const)('gemm with the GELU epilogue, %s, equals the definition', (_name, batch, m, n, k, withBias) => {
    // Products reach ±6 here: both tails of GELU and its bend near 0.
    const a = random(batch * m * k, 71).map((v) => (v * 6) / Math.sqrt(k));
    const b = random(k * n, 73).map((v) => v * 1.7);
    const bias = withBias ? random(n, 79) : undefined;
    const { heap, offsets, output } = heapWith([a, b, ...(bias ? [bias] : [])], batch * m * n);
    const args = { ...one, batch, m, n, k, strideA: m * k, strideB: 0, gelu: true };
    blas.gemm(heap, { ...args, a: offsets[0] as number, b: offsets[1] as number, c: offsets.at(-1) as number, ...(bias ? { bias: offsets[2] as number } : {}) });
    const product = referenceGemm({ ...args, gelu: false }, a, b);
    const want = product.map((v, i) => {
      const z = v + (bias ? (bias[i % n] as number) : 0);
      return 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)));
    });
    expectClose(output(batch * m * n), want);
  });

  it.each([
    ['VAR-sized rows (top-k 900, top-p 0.96)', 12, 4096, 900, 0.96, 1],
    ['runs of equal values and −inf entries', 20, 300, 100, 0.7, 8],
    ['top-k only', 4, 64, 10, 1, 4],
    ['top-p only', 4, 64, 0, 0.5, 4],
  ] as const)('filterLogits %s equals the definition', (_name, rows, vocab, topK, topP, quantum) => {
    const logits = random(rows * vocab, 83).map((v, i) => (i % 37 === 5 ? -Infinity : Math.round(v * 6 * quantum) / quantum));
    const heap = Float32Array.from(logits);
    blas.filterLogits(heap, { rows, vocab, topK, topP, values: 0 });
    expect(Array.from(heap)).toEqual(Array.from(referenceFilterLogits({ rows, vocab, topK, topP }, logits)));
  });

  it.each([
    ['attention-shaped q [2, 4, 64, 64] with a per-head temperature', 2 * 4 * 64, 64, 4, 64],
    ['odd rows, no scale', 9, 37, 0, 0],
  ] as const)('l2Normalize %s equals the definition', (_name, rows, dim, scales, rowsPerScale) => {
    const x = random(rows * dim, 89).map((v, i) => (i < dim ? 0 : 3 * v)); // the first row is zero: the eps floor
    const scale = scales ? random(scales, 97).map((v) => 1 + Math.abs(v)) : undefined;
    const { heap, offsets, output } = heapWith([x, ...(scale ? [scale] : [])], rows * dim);
    const y = offsets.at(-1) as number;
    const scaled = scale ? { scale: offsets[1] as number, scales, rowsPerScale } : {};
    blas.l2Normalize(heap, { rows, dim, eps: 1e-12, x: offsets[0] as number, y, ...scaled });
    expectClose(output(rows * dim), referenceL2Normalize({ rows, dim, eps: 1e-12, ...(scale ? { rowsPerScale } : {}) }, x, scale));
  });

  describe('bad arguments throw a JS error naming the argument (the process never crashes)', () => {
    const heap = new Float32Array(1024);
    const ok: GemmArgs = { ...one, m: 4, n: 4, k: 4, a: 0, b: 256, c: 512 };
    const norm = { batch: 1, positions: 8, channels: 4, groups: 2, eps: 1e-5, silu: true, x: 0, y: 512 };
    const cases: Array<[string, () => void, RegExp]> = [
      ['a heap that is no buffer', () => blas.gemm({} as never, ok), /heap must be an ArrayBuffer or a typed array/],
      ['a misaligned offset', () => blas.gemm(heap, { ...ok, b: 258 }), /'b' byte offset 258 is not a multiple of 4/],
      ['an output past the heap', () => blas.gemm(heap, { ...ok, c: 4096 - 32 }), /'c' \[4064, 4128\) lies outside the heap of 4096 bytes/],
      ['a negative dimension', () => blas.gemm(heap, { ...ok, m: -1 }), /'m' must be an integer from 1/],
      ['a fractional dimension', () => blas.gemm(heap, { ...ok, n: 1.5 }), /'n' must be an integer/],
      ['NaN', () => blas.gemm(heap, { ...ok, k: Number.NaN }), /'k' must be an integer/],
      ['a string for a number', () => blas.gemm(heap, { ...ok, m: '4' as never }), /'m' must be a number/],
      ['a missing flag', () => blas.gemm(heap, { ...ok, transposeA: undefined as never }), /'transposeA' must be a boolean/],
      ['an output overlapping an input', () => blas.gemm(heap, { ...ok, c: 32 }), /output 'c' overlaps input 'a'/],
      ['dimensions whose product overflows', () => blas.gemm(heap, { ...ok, m: 2 ** 31 - 1, n: 2 ** 31 - 1, k: 2 ** 31 - 1 }), /too large|outside the heap/],
      ['a batch stride past the heap', () => blas.gemm(heap, { ...ok, batch: 2, strideA: 2 ** 40 }), /'a' .* lies outside the heap/],
      ['no arguments object', () => (blas.gemm as (h: unknown) => void)(heap), /gemm\(heap, \{batch/],
      ['no arguments object for the other kernels', () => (blas.l2Normalize as (h: unknown, o: unknown) => void)(heap, 3), /l2Normalize\(heap, \{rows, dim/],
      ['a third argument', () => (blas.filterLogits as (...a: unknown[]) => void)(heap, { rows: 1, vocab: 8, topK: 5, topP: 0.9, values: 0 }, 1), /filterLogits\(heap, \{rows, vocab/],
      ['an unknown conv pass', () => blas.conv2d(heap, { ...geometry({}), pass: 'backward' as never, x: 0, filter: 0, y: 0 }), /'pass' must be 'forward'/],
      ['a conv filter past the heap', () => blas.conv2d(heap, { ...geometry({ batch: 1, inHeight: 3, inWidth: 3, outHeight: 3, outWidth: 3 }), pass: 'forward', x: 0, filter: 3900, y: 1024 }), /'filter' .* lies outside the heap/],
      ['a zero stride', () => blas.conv2d(heap, { ...geometry({ strideHeight: 0 }), pass: 'forward', x: 0, filter: 0, y: 0 }), /'strideHeight' must be an integer from 1/],
      ['a bias past the heap', () => blas.gemm(heap, { ...ok, bias: 4096 - 8 }), /'bias' \[4088, 4104\) lies outside the heap/],
      ['a bias overlapping the output', () => blas.gemm(heap, { ...ok, bias: 516 }), /output 'c' overlaps input 'bias'/],
      ['a bias on a gradient pass', () => blas.conv2d(heap, { ...geometry({}), pass: 'inputGradient', x: 0, filter: 0, y: 0, bias: 0 }), /'bias' is only for pass 'forward'/],
      ['zero threads', () => blas.setThreads(0), /thread count must be an integer from 1 to 256/],
      ['channels that groups do not divide', () => blas.groupNorm(heap, { ...norm, channels: 6, groups: 4 }), /channels must be a multiple of groups/],
      ['a negative eps', () => blas.groupNorm(heap, { ...norm, eps: -1 }), /'eps' must be a finite non-negative number/],
      ['a layer-norm bias without a weight', () => blas.layerNorm(heap, { rows: 2, dim: 4, eps: 1e-5, x: 0, y: 512, bias: 256 }), /'bias' needs 'weight'/],
      ['a layer-norm output past the heap', () => blas.layerNorm(heap, { rows: 2, dim: 4, eps: 1e-5, x: 0, y: 4096 - 16 }), /'y' .* lies outside the heap/],
      ['a group-norm output overlapping its input', () => blas.groupNorm(heap, { ...norm, y: 16 }), /output 'y' overlaps input 'x'/],
      ['a weight past the heap', () => blas.groupNorm(heap, { ...norm, weight: 4096 - 4 }), /'weight' .* lies outside the heap/],
      ['a modulation scale without its shift', () => blas.layerNorm(heap, { rows: 2, dim: 4, eps: 1e-5, x: 0, y: 512, scale: 256, rowsPerGroup: 1 }), /'scale' and 'shift' go together/],
      ['row groups that do not divide the rows', () => blas.layerNorm(heap, { rows: 3, dim: 4, eps: 1e-5, x: 0, y: 512, scale: 256, shift: 320, rowsPerGroup: 2 }), /'rowsPerGroup' must divide 'rows'/],
      ['a modulation without rowsPerGroup', () => blas.layerNorm(heap, { rows: 2, dim: 4, eps: 1e-5, x: 0, y: 512, scale: 256, shift: 320 }), /'rowsPerGroup' must be a number/],
      ['an l2Normalize scale without its count', () => blas.l2Normalize(heap, { rows: 2, dim: 4, eps: 1e-12, x: 0, y: 512, scale: 256 }), /'scales' must be a number/],
      ['an l2Normalize output overlapping its input', () => blas.l2Normalize(heap, { rows: 2, dim: 4, eps: 1e-12, x: 0, y: 16 }), /output 'y' overlaps input 'x'/],
      ['logits past the heap', () => blas.filterLogits(heap, { rows: 2, vocab: 1024, topK: 5, topP: 0.9, values: 0 }), /'values' .* lies outside the heap/],
      ['a top-p that is no number', () => blas.filterLogits(heap, { rows: 1, vocab: 8, topK: 5, topP: 'x' as never, values: 0 }), /'topP' must be a finite number/],
      ['a fractional top-k', () => blas.filterLogits(heap, { rows: 1, vocab: 8, topK: 2.5, topP: 0.9, values: 0 }), /'topK' must be an integer/],
      ['a gelu flag that is no boolean', () => blas.gemm(heap, { ...ok, gelu: 1 as never }), /'gelu' must be a boolean/],
    ];
    it.each(cases)('%s', (_name, call, message) => {
      expect(call).toThrow(message);
    });
  });

  it('reports the OpenBLAS build, the kernels it chose and what runs the convolutions', () => {
    expect(load.library.config).toMatch(/OpenBLAS \d+\.\d+/);
    expect(load.library.corename.length).toBeGreaterThan(0);
    expect(load.library.convolution).toMatch(/^(oneDNN \d+\.\d+\.\d+ \(OpenMP\) forward, im2col \+ OpenBLAS sgemm gradients|im2col \+ OpenBLAS sgemm)$/);
  });
});
