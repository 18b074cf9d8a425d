import { describe, expect, it, beforeAll } from 'vitest';
import { tf } from '../../src/tf.js';
import { initBackend, isWasmMatMulRouted, patchWasmBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/rng/rng.js';
import { installedBackends } from '../helpers/expected-backend.js';
import { activeBlas, setBlasEnabled } from '../../src/backend/wasm/native-blas.js';
import { NATIVE_GROUP_NORM, NATIVE_L2_NORMALIZE, NATIVE_LAYER_NORM } from '../../src/backend/wasm/blas-norms.js';
import { l2Normalize } from '../../src/nn/attention.js';
import { layerNorm } from '../../src/nn/layer-norm.js';
import { GroupNorm } from '../../src/nn/group-norm.js';
import { NATIVE_LINEAR } from '../../src/backend/wasm/blas-linear.js';
import { Linear } from '../../src/nn/linear.js';
import { GeluMlp } from '../../src/nn/gelu-mlp.js';
import { modulatedLayerNorm } from '../../src/nn/adaln.js';

/**
 * The paths wasm's products can take here: XNNPACK always, OpenBLAS too where @nextx/native-blas loads (test names
 * say which ran); each product and convolution case runs on each.
 */
await initBackend({ prefer: 'wasm' });
type ProductPath = 'XNNPACK' | 'OpenBLAS';
const PATHS: ProductPath[] = activeBlas() ? ['OpenBLAS', 'XNNPACK'] : ['XNNPACK'];

/** Runs `f` on cpu and on (patched) wasm with the same host inputs; returns both results as arrays. */
async function onBothBackends(f: () => tf.Tensor | tf.Tensor[], path: ProductPath = PATHS[0] as ProductPath): Promise<{ cpu: Float32Array[]; wasm: Float32Array[] }> {
  const run = async (backend: 'cpu' | 'wasm') => {
    await initBackend({ prefer: backend });
    const before = tf.memory().numTensors;
    setBlasEnabled(path === 'OpenBLAS');
    let result: tf.Tensor | tf.Tensor[];
    try {
      result = tf.tidy(f);
    } finally {
      setBlasEnabled(true);
    }
    const list = Array.isArray(result) ? result : [result];
    const values = list.map((t) => t.dataSync() as Float32Array);
    tf.dispose(list);
    expect(tf.memory().numTensors).toBe(before);
    return values;
  };
  return { cpu: await run('cpu'), wasm: await run('wasm') };
}

function expectClose(a: Float32Array[], b: Float32Array[], tol = 1e-4): void {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => {
    const y = b[i] as Float32Array;
    expect(x.length).toBe(y.length);
    let worst = 0;
    for (let j = 0; j < x.length; j++) {
      const scale = Math.max(1, Math.abs(y[j] as number));
      worst = Math.max(worst, Math.abs((x[j] as number) - (y[j] as number)) / scale);
    }
    expect(worst).toBeLessThan(tol);
  });
}

const rng = Rng.seeded(7);
const random = (shape: number[]) => Array.from(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)))) as number[];

describe('patched wasm backend', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm' });
  });

  it('routes matMul and reports its added kernels', () => {
    const report = patchWasmBackend();
    expect(isWasmMatMulRouted()).toBe(true);
    expect(report.ownKernels).toContain('UnsortedSegmentSum');
    expect(report.ownKernels).toContain('Conv2DBackpropFilter');
    expect(report.ownKernels).toContain('Slice (from a view of the heap)');
    expect(report.ownKernels).toContain('SplitV (from a view of the heap)');
    expect(report.cpuDelegated).toContain('Einsum');
    expect(report.cpuDelegated).not.toContain('FFT');
  });

  it('slices from the heap exactly as the cpu backend does: every rank, strided and contiguous boxes, int and bool', async () => {
    const boxes: Array<[number[], number[], number[]]> = [
      [[10], [3], [4]],
      [[8192, 8], [8000], [1, -1]], // one row of a long table: a contiguous run
      [[6, 5], [1, 2], [4, 3]], // strided
      [[2, 3, 4], [0, 1, 1], [2, 2, 3]],
      [[2, 3, 4, 5], [1, 0, 2, 1], [1, 3, 2, 4]],
      [[2, 2, 3, 2, 3], [0, 1, 0, 1, 1], [2, 1, 3, 1, 2]], // rank 5
      [[4, 4], [2, 0], [0, 4]], // empty
    ];
    const data = boxes.map(([shape]) => random(shape));
    const float = await onBothBackends(() => boxes.map(([shape, begin, size], i) => tf.slice(tf.tensor(data[i]!, shape), begin, size)));
    float.wasm.forEach((w, i) => expect(Array.from(w), `box ${i}`).toEqual(Array.from(float.cpu[i]!)));
    const ints = await onBothBackends(() => [
      tf.cast(tf.slice(tf.tensor3d(Int32Array.from({ length: 60 }, (_, i) => i * 7 - 100), [3, 4, 5], 'int32'), [1, 1, 0], [2, 2, 5]), 'float32'),
      tf.cast(tf.slice(tf.tensor2d(Array.from({ length: 12 }, (_, i) => i % 3 === 0), [3, 4], 'bool'), [0, 1], [3, 2]), 'float32'),
    ]);
    expect(ints.wasm.map((a) => Array.from(a))).toEqual(ints.cpu.map((a) => Array.from(a)));
    // SplitV (nextx's, on the heap) and the slice gradient (a pad) give the cpu backend's values too.
    const input = random([2, 6, 4]);
    const grads = await onBothBackends(() => {
      const x = tf.tensor3d(input, [2, 6, 4]);
      const [a, b] = tf.split(x, [2, 4], 1);
      const [c, d, e] = tf.split(x, 3, 1);
      const [f, h] = tf.split(x, [1, 3], 2); // strided parts along the innermost axis
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.slice(t, [0, 1, 1], [2, 3, 2]), 3)))(x);
      return [a!, b!, c!, d!, e!, f!, h!, g];
    });
    expect(grads.wasm.map((a) => Array.from(a))).toEqual(grads.cpu.map((a) => Array.from(a)));
  });

  const cases: Array<[string, number[], number[], boolean, boolean]> = [
    ['2-D', [5, 7], [7, 3], false, false],
    ['transposeA', [7, 5], [7, 3], true, false],
    ['transposeB', [5, 7], [3, 7], false, true],
    ['both transposed', [7, 5], [3, 7], true, true],
    ['batched', [4, 5, 7], [4, 7, 3], false, false],
    ['batched transposeB (q·kᵀ)', [2, 3, 5, 7], [2, 3, 6, 7], false, true],
  ];
  const withPaths = <T extends unknown[]>(list: T[]) => PATHS.flatMap((path) => list.map((c) => [path, ...c] as [ProductPath, ...T]));
  it.each(withPaths(cases))('%s: matMul %s equals cpu, forward and both gradients', async (path, _name, sa, sb, ta, tb) => {
    const av = random(sa);
    const bv = random(sb);
    const outShape = tf.tidy(() => tf.matMul(tf.zeros(sa), tf.zeros(sb), ta, tb).shape);
    const wv = random(outShape);
    const { cpu, wasm } = await onBothBackends(() => {
      const a = tf.tensor(av, sa);
      const b = tf.tensor(bv, sb);
      const y = tf.matMul(a, b, ta, tb);
      const w = tf.tensor(wv, y.shape);
      const [ga, gb] = tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, z, ta, tb), w)))([a, b]);
      return [y, ga as tf.Tensor, gb as tf.Tensor];
    }, path);
    expectClose(wasm, cpu);
  });

  // tfjs has no gradient for broadcast batch dimensions (its BatchMatMul gradient assumes equal batch shapes), so
  // these are compared forward only.
  const broadcastCases: Array<[string, number[], number[]]> = [
    ['batch against shared matrix', [4, 5, 7], [7, 3]],
    ['shared matrix against batch', [5, 7], [4, 7, 3]],
    ['broadcast batch of 1', [1, 5, 7], [4, 7, 3]],
  ];
  it.each(withPaths(broadcastCases))('%s: matMul %s equals cpu, forward', async (path, _name, sa, sb) => {
    const av = random(sa);
    const bv = random(sb);
    const { cpu, wasm } = await onBothBackends(() => tf.matMul(tf.tensor(av, sa), tf.tensor(bv, sb)), path);
    expectClose(wasm, cpu);
  });

  it('one buffer used as the right operand under two shapes (a reshape shares its id) gives both products right', async () => {
    // XNNPACK caches the packed right operand by tensor id; a gradient reaching two Linears through reshapes is the
    // same buffer as [4096, 32] and [512, 256] (CoBit's optimal-skip head). The second product must not reuse the
    // first packing.
    const aWide = random([24, 4096]);
    const aNarrow = random([64, 512]);
    const shared = random([4096 * 32]);
    const { cpu, wasm } = await onBothBackends(() => {
      const b = tf.tensor1d(shared);
      const first = tf.matMul(tf.tensor2d(aWide, [24, 4096]), tf.reshape(b, [4096, 32]));
      const second = tf.matMul(tf.tensor2d(aNarrow, [64, 512]), tf.reshape(b, [512, 256]));
      const transposed = tf.matMul(tf.tensor2d(aNarrow, [512, 64]), tf.reshape(b, [512, 256]), true, false);
      return [first, second, transposed];
    });
    expectClose(wasm, cpu, 1e-3);
  });

  it('gather gradient (UnsortedSegmentSum) with repeated and out-of-order indices equals cpu', async () => {
    const table = random([6, 4]);
    const wv = random([6, 4]);
    const { cpu, wasm } = await onBothBackends(() => {
      const t = tf.tensor2d(table, [6, 4]);
      const ids = tf.tensor1d([3, 0, 3, 5, 3, 1], 'int32');
      const w = tf.tensor(wv, [6, 4]);
      return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.gather(x, ids), w)))(t);
    });
    expectClose(wasm, cpu);
    // rows never gathered get zero gradient, row 3 gets three contributions
    expect(Array.from((wasm[0] as Float32Array).slice(8, 12))).toEqual([0, 0, 0, 0]);
  });

  it('unsortedSegmentSum drops ids outside [0, numSegments)', async () => {
    await initBackend({ prefer: 'wasm' });
    const out = tf.unsortedSegmentSum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]), tf.tensor1d([1, 7, 1], 'int32'), 3);
    expect(Array.from(out.dataSync())).toEqual([0, 0, 6, 8, 0, 0]);
  });

  const convCases: Array<[string, number[], number[], [number, number], tf.backend_util.ExplicitPadding | 'same' | 'valid']> = [
    ['3×3 same', [2, 6, 5, 3], [3, 3, 3, 4], [1, 1], 'same'],
    ['stride 2, VAR down-sampler padding (right/bottom 1)', [2, 8, 8, 3], [3, 3, 3, 2], [2, 2], [[0, 0], [0, 1], [0, 1], [0, 0]]],
    ['asymmetric explicit padding, stride 2×1', [1, 7, 6, 2], [2, 3, 2, 3], [2, 1], [[0, 0], [2, 0], [1, 3], [0, 0]]],
    ['1×1', [2, 5, 4, 6], [1, 1, 6, 3], [1, 1], 'valid'],
    // 50·50 rows × 864 patch floats: more than one block (2^21 floats) of OpenBLAS's patch matrix
    ['3×3 over 50×50×96 (two im2col blocks)', [1, 50, 50, 96], [3, 3, 96, 1], [1, 1], 'same'],
  ];
  it.each(withPaths(convCases))('%s: conv2d %s: forward and gradients equal cpu', async (path, _name, xs, ws, strides, pad) => {
    const xv = random(xs);
    const wv = random(ws);
    const outShape = tf.tidy(() => tf.conv2d(tf.tensor4d(new Float32Array(xs.reduce((a, b) => a * b, 1)), xs as [number, number, number, number]), tf.tensor4d(new Float32Array(ws.reduce((a, b) => a * b, 1)), ws as [number, number, number, number]), strides, pad as never).shape);
    const rv = random(outShape);
    const { cpu, wasm } = await onBothBackends(() => {
      const x = tf.tensor4d(xv, xs as [number, number, number, number]);
      const w = tf.tensor4d(wv, ws as [number, number, number, number]);
      const y = tf.conv2d(x, w, strides, pad as never);
      const r = tf.tensor(rv, y.shape);
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad as never), r)),
      )([x, w]);
      return [y, gx as tf.Tensor, gw as tf.Tensor];
    }, path);
    // Float32 sums of K terms differ between kernels by up to about K·u (u = 2⁻²⁴ each side); the weight gradient sums
    // over every output position, so large images need more than the default 1e-4.
    const longestSum = Math.max((ws[0] as number) * (ws[1] as number) * (ws[2] as number), (outShape[0] as number) * (outShape[1] as number) * (outShape[2] as number));
    expectClose(wasm, cpu, Math.max(1e-4, longestSum * 2 * 2 ** -24 * 4));
  });

  it.each(PATHS)('%s: dilated conv2d, conv1d and conv2dTranspose (the input-gradient kernel) equal cpu', async (path) => {
    const xv = random([2, 9, 8, 3]);
    const wv = random([3, 3, 3, 4]);
    const sv = random([2, 12, 3]);
    const kv = random([3, 3, 5]);
    const tv = random([3, 3, 4, 3]);
    const { cpu, wasm } = await onBothBackends(() => {
      const x = tf.tensor4d(xv, [2, 9, 8, 3]);
      const dilated = tf.conv2d(x, tf.tensor4d(wv, [3, 3, 3, 4]), 1, 'same', 'NHWC', [2, 2]);
      const sequence = tf.conv1d(tf.tensor3d(sv, [2, 12, 3]), tf.tensor3d(kv, [3, 3, 5]), 2, 'same');
      const transposed = tf.conv2dTranspose(x, tf.tensor4d(tv, [3, 3, 4, 3]), [2, 18, 16, 4], 2, 'same');
      return [dilated, sequence, transposed];
    }, path);
    expectClose(wasm, cpu);
  });

  it.each(PATHS)('%s: fused matMul and conv2d with a bias (Linear, Conv2d), with and without an activation, and their gradients equal cpu', async (path) => {
    const [av, bv, biasN] = [random([37, 24]), random([24, 19]), random([19])];
    const [xv, wv, biasC] = [random([2, 9, 8, 5]), random([3, 3, 5, 6]), random([6])];
    const { cpu, wasm } = await onBothBackends(() => {
      const [a, b, bias] = [tf.tensor2d(av, [37, 24]), tf.tensor2d(bv, [24, 19]), tf.tensor1d(biasN)];
      const [x, w, cb] = [tf.tensor4d(xv, [2, 9, 8, 5]), tf.tensor4d(wv, [3, 3, 5, 6]), tf.tensor1d(biasC)];
      const product = tf.fused.matMul({ a, b, bias });
      const relu = tf.fused.matMul({ a, b, bias, activation: 'relu' }); // not taken by OpenBLAS: XNNPACK's kernel
      // The same weights again, transposed A: XNNPACK's fused kernel reused its cached untransposed operator here.
      const transposed = tf.fused.matMul({ a: tf.transpose(a), b, bias, transposeA: true });
      const conv = tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias: cb });
      const convRelu = tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias: cb, activation: 'relu' });
      const grads = tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) =>
        tf.sum(tf.square(tf.fused.conv2d({ x: p as tf.Tensor4D, filter: q as tf.Tensor4D, strides: 2, pad: 'same', bias: r }))),
      )([x, w, cb]);
      return [product, relu, transposed, conv, convRelu, ...grads];
    }, path);
    expectClose(wasm, cpu);
  });

  it.each(PATHS)('GroupNorm (+ SiLU) equals cpu, in one native kernel with OpenBLAS active, and the differentiable ops under a gradient tape (%s)', async (path) => {
    const xv = random([2, 5, 7, 6]).map((v) => 2 + 3 * v); // an offset mean, so that centring matters
    const weight = random([6]);
    const bias = random([6]);
    const kernelsOf = async (f: () => tf.Tensor) => {
      setBlasEnabled(path === 'OpenBLAS');
      try {
        return (await tf.profile(() => f())).kernelNames;
      } finally {
        setBlasEnabled(true);
      }
    };
    const norms = () => {
      const affine = new GroupNorm(3, 6, { eps: 1e-6 });
      affine.weight?.assign(tf.tensor1d(weight));
      affine.bias?.assign(tf.tensor1d(bias));
      return { affine, plain: new GroupNorm(2, 6, { affine: false }) };
    };
    const outputs = () => {
      const { affine, plain } = norms();
      const x = tf.tensor4d(xv, [2, 5, 7, 6]);
      const grad = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(affine.forward(a, { silu: true }), tf.range(0, 420).reshape([2, 5, 7, 6]))))(x);
      const out = [affine.forward(x, { silu: true }), affine.forward(x), plain.forward(x, { silu: true }), grad];
      affine.dispose();
      plain.dispose();
      return out;
    };
    const { cpu, wasm } = await onBothBackends(outputs, path);
    expectClose(wasm, cpu, 2e-5);
    await initBackend({ prefer: 'wasm' });
    const { affine } = norms();
    const x = tf.tensor4d(xv, [2, 5, 7, 6]);
    const forward = await kernelsOf(() => affine.forward(x, { silu: true }));
    expect(forward.includes(NATIVE_GROUP_NORM)).toBe(path === 'OpenBLAS');
    expect(forward.includes('Sigmoid')).toBe(path !== 'OpenBLAS');
    const backward = await kernelsOf(() => tf.grad((a: tf.Tensor) => tf.sum(affine.forward(a, { silu: true })))(x));
    expect(backward.includes(NATIVE_GROUP_NORM)).toBe(false);
    affine.dispose();
    x.dispose();
  });

  it.each(PATHS)('layerNorm equals cpu, in one native kernel with OpenBLAS active, and the differentiable ops under a gradient tape (%s)', async (path) => {
    const xv = random([2, 5, 37]).map((v) => 1 - 2 * v);
    const wv = random([37]);
    const bv = random([37]);
    const outputs = () => {
      const x = tf.tensor3d(xv, [2, 5, 37]);
      const w = tf.tensor1d(wv);
      const b = tf.tensor1d(bv);
      const grads = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(layerNorm(a, 1e-6, c, d), tf.range(0, 370).reshape([2, 5, 37]))))([x, w, b]);
      return [layerNorm(x, 1e-6, w, b), layerNorm(x, 1e-5), layerNorm(x, 1e-5, w), ...grads];
    };
    const { cpu, wasm } = await onBothBackends(outputs, path);
    expectClose(wasm, cpu, 2e-5);
    await initBackend({ prefer: 'wasm' });
    const x = tf.tensor3d(xv, [2, 5, 37]);
    setBlasEnabled(path === 'OpenBLAS');
    try {
      const forward = (await tf.profile(() => layerNorm(x, 1e-6))).kernelNames;
      expect(forward.includes(NATIVE_LAYER_NORM)).toBe(path === 'OpenBLAS');
      const backward = (await tf.profile(() => tf.grad((a: tf.Tensor) => tf.sum(layerNorm(a, 1e-6)))(x))).kernelNames;
      expect(backward.includes(NATIVE_LAYER_NORM)).toBe(false);
    } finally {
      setBlasEnabled(true);
    }
    x.dispose();
  });

  it.each(PATHS)('Linear (any rank), the GELU-tanh MLP, the AdaLN-modulated LayerNorm and the per-head L2 normalisation equal cpu, each one native kernel with OpenBLAS active at inference (%s)', async (path) => {
    const xv = random([2, 3, 5, 24]);
    const [shift, scale, tokenShift, gv] = [random([2, 1, 24]), random([2, 1, 24]), random([1, 5, 24]), random([2, 4, 24])];
    const headScale = random([3]).map((v) => 1 + Math.abs(v));
    const layers = () => {
      const linear = new Linear(24, 19, { rng: Rng.seeded(3) });
      const mlp = new GeluMlp(24, 40, { gelu: 'tanh', rng: Rng.seeded(4) });
      const exact = new GeluMlp(24, 40, { rng: Rng.seeded(5) });
      return { linear, mlp, exact, dispose: () => [linear, mlp, exact].forEach((m) => m.dispose()) };
    };
    const outputs = () => {
      const { linear, mlp, exact, dispose } = layers();
      const x4 = tf.tensor4d(xv, [2, 3, 5, 24]);
      const x3 = tf.reshape(x4, [2, 15, 24]);
      const [b, s, perToken] = [tf.tensor3d(shift, [2, 1, 24]), tf.tensor3d(scale, [2, 1, 24]), tf.tensor3d(tokenShift, [1, 5, 24])];
      const out = [
        linear.forward(x4),
        linear.forward(tf.reshape(x4, [30, 24])),
        mlp.forward(x3),
        exact.forward(x3),
        modulatedLayerNorm(x3, 1e-6, b, s), // one modulation per sample
        modulatedLayerNorm(x3, 1e-6, tf.slice(b, [0, 0, 0], [1, 1, 24]), tf.slice(s, [1, 0, 0], [1, 1, 24])), // shared by the batch
        modulatedLayerNorm(tf.reshape(x4, [6, 5, 24]), 1e-6, perToken, perToken), // per token: not the native form
        l2Normalize(x4), // [B, H = 3, L = 5, d = 24]
        l2Normalize(x4, 1e-12, tf.tensor4d(headScale, [1, 3, 1, 1])),
        l2Normalize(tf.zeros([1, 1, 2, 24])), // the eps floor: zeros stay zeros
        ...tf.grads((a: tf.Tensor) => tf.add(tf.sum(mlp.forward(a)), tf.sum(tf.square(linear.forward(a)))))([tf.tensor3d(gv, [2, 4, 24])]),
      ];
      dispose();
      return out;
    };
    const { cpu, wasm } = await onBothBackends(outputs, path);
    expectClose(wasm, cpu, 2e-5);
    await initBackend({ prefer: 'wasm' });
    const { linear, mlp, dispose } = layers();
    const x = tf.tensor3d(xv, [6, 5, 24]);
    const b = tf.tensor3d(shift.slice(0, 24), [1, 1, 24]);
    setBlasEnabled(path === 'OpenBLAS');
    try {
      const native = path === 'OpenBLAS';
      const kernels = async (f: () => tf.Tensor) => (await tf.profile(f)).kernels.map((k) => k.name);
      expect(await kernels(() => linear.forward(x))).toEqual(native ? [NATIVE_LINEAR] : expect.arrayContaining(['_FusedMatMul', 'Reshape']));
      expect(await kernels(() => mlp.forward(x))).toEqual(native ? [NATIVE_LINEAR, NATIVE_LINEAR] : expect.arrayContaining(['Sigmoid']));
      const x4 = tf.reshape(x, [2, 3, 5, 24]);
      const heads = tf.tensor4d(headScale, [1, 3, 1, 1]);
      expect(await kernels(() => l2Normalize(x4, 1e-12, heads))).toEqual(native ? [NATIVE_L2_NORMALIZE] : expect.arrayContaining(['Sqrt', 'RealDiv']));
      tf.dispose([x4, heads]);
      expect(await kernels(() => modulatedLayerNorm(x, 1e-6, b, b))).toEqual(native ? [NATIVE_LAYER_NORM] : expect.arrayContaining(['Multiply', 'Add']));
      const backward = (await tf.profile(() => tf.grad((a: tf.Tensor) => tf.sum(mlp.forward(modulatedLayerNorm(a, 1e-6, b, b))))(x))).kernelNames;
      expect(backward.filter((k) => k === NATIVE_LINEAR || k === NATIVE_LAYER_NORM)).toEqual([]);
    } finally {
      setBlasEnabled(true);
    }
    dispose();
    tf.dispose([x, b]);
  });

  it('depthwise conv2d gradients (cpu-delegated kernels) equal cpu', async () => {
    const xv = random([1, 5, 5, 2]);
    const wv = random([3, 3, 2, 1]);
    const { cpu, wasm } = await onBothBackends(() => {
      const x = tf.tensor4d(xv, [1, 5, 5, 2]);
      const w = tf.tensor4d(wv, [3, 3, 2, 1]);
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))),
      )([x, w]);
      return [gx as tf.Tensor, gw as tf.Tensor];
    });
    expectClose(wasm, cpu);
  });

  it('einsum (cpu-delegated) equals cpu', async () => {
    const av = random([3, 4]);
    const bv = random([4, 5]);
    const { cpu, wasm } = await onBothBackends(() => tf.einsum('ij,jk->ik', tf.tensor2d(av, [3, 4]), tf.tensor2d(bv, [4, 5])));
    expectClose(wasm, cpu);
  });

  it('a composite forward+backward (embedding → linear → moments → conv → attention → softmax loss) equals cpu', async () => {
    const emb = random([10, 8]);
    const w1 = random([8, 8]);
    const wc = random([3, 3, 2, 2]);
    const { cpu, wasm } = await onBothBackends(() => {
      const table = tf.tensor2d(emb, [10, 8]);
      const weight = tf.tensor2d(w1, [8, 8]);
      const kernel = tf.tensor4d(wc, [3, 3, 2, 2]);
      const ids = tf.tensor2d([1, 4, 4, 9, 0, 2, 7, 1], [2, 4], 'int32');
      const loss = (t: tf.Tensor, w: tf.Tensor, k: tf.Tensor) => {
        const h = tf.reshape(tf.matMul(tf.reshape(tf.gather(t, ids), [8, 8]), w), [2, 4, 8]);
        const { mean, variance } = tf.moments(h, -1, true);
        const n = tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-6)));
        const img = tf.conv2d(tf.reshape(n, [2, 4, 4, 2]) as tf.Tensor4D, k as tf.Tensor4D, 1, 'same');
        const q = tf.reshape(img, [2, 4, 8]);
        const att = tf.softmax(tf.matMul(q, q, false, true));
        const out = tf.matMul(att, q);
        return tf.neg(tf.mean(tf.logSoftmax(out)));
      };
      const grads = tf.grads(loss)([table, weight, kernel]);
      return [loss(table, weight, kernel), ...grads];
    });
    expectClose(wasm, cpu);
  });
});

describe('backend selection', () => {
  it('auto picks the first usable of cuda, native, wasm on this machine; the unusable ones say why', async () => {
    const { usable, auto } = await installedBackends();
    const status = await initBackend({ prefer: 'auto' });
    expect(status.active).toBe(auto);
    // Candidates tried before the active one are unavailable, each with its reason.
    expect(status.candidates.map((c) => c.name)).toEqual(['cuda', 'native', 'wasm'].slice(0, ['cuda', 'native', 'wasm'].indexOf(auto) + 1));
    for (const candidate of status.candidates.slice(0, -1)) expect(candidate.available).toBe(false);
    for (const name of ['cuda', 'native'] as const) {
      if (usable[name]) continue;
      const chosen = initBackend({ prefer: name });
      await expect(chosen).rejects.toMatchObject({ code: 'BACKEND' });
      // Without its package the message names the package; with it (and no GPU for cuda) it names the cause.
      await expect(chosen).rejects.toThrow(name === 'cuda' ? /tfjs-node-gpu|NVIDIA GPU|libcudart/ : /@tensorflow\/tfjs-node/);
    }
    await initBackend({ prefer: 'wasm' });
  });
});
