import { tf } from '../tf.js';
import { InputError } from '../errors.js';
import { inversePermutation, normaliseAxis } from './axes.js';
import { checkComplex, complexConj, type ComplexTensor } from './complex-tensor.js';
import { cachedHostPlan } from './fft-cache.js';
import { transformHostBatch, type FftSign } from './host-fft.js';
import { tensorFft } from './tensor-fft.js';

/** numpy/torch `norm`: 'backward' scales only the inverse by 1/n, 'ortho' both by 1/√n, 'forward' only the forward. */
export type FftNorm = 'backward' | 'ortho' | 'forward';

/**
 * Where the transform runs. 'host': the float64 mixed-radix/Bluestein FFT of host-fft.ts on the tensor's data (one
 * download and one upload per call). 'tensor': the matrix-product Cooley–Tukey of tensor-fft.ts, in the backend's
 * own ops. 'auto' picks per backend what bench/fft.ts measured faster (BENCHMARKS.md): host on wasm and cpu, tensor
 * on every other backend (tfjs-node, cuda, webgl), where data stays on the device.
 */
export type FftEngine = 'auto' | 'host' | 'tensor';

export interface FftOptions {
  /** Length of the transform along `axis`: the input is cropped or zero-padded to it (torch's `n`). */
  readonly n?: number;
  readonly axis?: number;
  readonly norm?: FftNorm;
  readonly engine?: FftEngine;
}

export interface FftnOptions {
  /** Lengths along `axes` (torch's `s`); with `s` and no `axes`, the last `s.length` axes. */
  readonly s?: readonly number[];
  /** Default: the last `s.length` axes with `s`, else every axis. */
  readonly axes?: readonly number[];
  readonly norm?: FftNorm;
  readonly engine?: FftEngine;
}

/**
 * Backends where the host engine is faster than the tensor one (bench/fft.ts), with the length up to which one dense
 * product with a cached matrix (the tensor engine at n ≤ DENSE_MAX) still beats it.
 */
const HOST_BACKENDS: Record<string, { denseUpTo: number }> = { wasm: { denseUpTo: 64 }, cpu: { denseUpTo: 0 } };

function resolveEngine(engine: FftEngine | undefined, lengths: readonly number[]): 'host' | 'tensor' {
  if (engine && engine !== 'auto') return engine;
  const host = HOST_BACKENDS[tf.getBackend()];
  if (!host) return 'tensor';
  return lengths.every((n) => n <= host.denseUpTo) ? 'tensor' : 'host';
}

function scaleFor(n: number, inverse: boolean, norm: FftNorm): number {
  if (norm === 'ortho') return 1 / Math.sqrt(n);
  return (norm === 'forward') !== inverse ? 1 / n : 1;
}

function checkNorm(norm: string): FftNorm {
  if (norm !== 'backward' && norm !== 'ortho' && norm !== 'forward') {
    throw new InputError(`norm must be 'backward', 'ortho' or 'forward', got '${norm}'`);
  }
  return norm;
}

function checkLength(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1) throw new InputError(`${what} must be a positive integer, got ${n}`);
  return n;
}

/** One axis of a packed tensor (re and im stacked along `reImAxis`) with its sign and scale. */
interface AxisTransform {
  readonly axis: number;
  readonly sign: FftSign;
  readonly scale: number;
}

interface PackedTransform {
  readonly reImAxis: number;
  readonly transforms: readonly AxisTransform[];
}

/** The host engine (re/im on axis 0, i.e. planes [re | im]): every listed axis in one download and one upload. */
function hostTransform(packed: tf.Tensor, { transforms }: PackedTransform): tf.Tensor {
  const shape = packed.shape;
  let data = packed.dataSync() as Float32Array;
  for (const { axis, sign, scale } of transforms) {
    const n = shape[axis] as number;
    const outer = shape.slice(1, axis).reduce((a, b) => a * b, 1);
    const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const out = new Float32Array(data.length);
    transformHostBatch(cachedHostPlan(n), data, out, { outer, n, inner }, sign, scale);
    data = out;
  }
  return tf.tensor(data, shape, 'float32');
}

/**
 * The tensor engine: each axis moved behind the re/im axis, as [rows, 2, n], and back. With re/im packed just before
 * the last axis, the last axis needs no transpose.
 */
function tensorTransform(packed: tf.Tensor, { reImAxis, transforms }: PackedTransform): tf.Tensor {
  let out = packed;
  for (const { axis, sign, scale } of transforms) {
    const rank = out.rank;
    const perm = [...Array.from({ length: rank }, (_, i) => i).filter((i) => i !== reImAxis && i !== axis), reImAxis, axis];
    const identity = perm.every((p, i) => p === i);
    const moved = identity ? out : tf.transpose(out, perm);
    const n = out.shape[axis] as number;
    const rows = out.size / (2 * n);
    let z = tensorFft(tf.reshape(moved, [rows, 2, n]), sign);
    if (scale !== 1) z = tf.mul(z, scale);
    out = identity ? tf.reshape(z, out.shape) : tf.transpose(tf.reshape(z, moved.shape), inversePermutation(perm));
  }
  return out;
}

/**
 * The differentiable transform of a packed tensor along its axes. As a real-linear map the transform with sign σ and
 * scale c has the adjoint with sign −σ and the same scale (the DFT matrix is symmetric), so the gradient of an FFT is
 * an FFT; the gradient is itself differentiable.
 */
function transformPacked(packed: tf.Tensor, plan: PackedTransform, engine: 'host' | 'tensor'): tf.Tensor {
  const adjoint = { ...plan, transforms: plan.transforms.map((t) => ({ ...t, sign: -t.sign as FftSign })) };
  const op = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = inputs[0] as tf.Tensor;
    return {
      value: engine === 'host' ? hostTransform(x, plan) : tensorTransform(x, plan),
      gradFunc: (dy: tf.Tensor) => transformPacked(dy, adjoint, engine),
    };
  });
  return op(packed);
}

/** Crops or zero-pads `x` along `axis` to length n. */
function resize(x: tf.Tensor, axis: number, n: number): tf.Tensor {
  const size = x.shape[axis] as number;
  if (size === n) return x;
  if (size > n) return tf.slice(x, x.shape.map((_, i) => 0), x.shape.map((d, i) => (i === axis ? n : d)));
  return tf.pad(x, x.shape.map((_, i) => (i === axis ? [0, n - size] : [0, 0])) as Array<[number, number]>);
}

function asFloat(x: tf.Tensor): tf.Tensor {
  return x.dtype === 'float32' ? x : tf.cast(x, 'float32');
}

/** Complex transforms along `axes` (normalised) with lengths `lengths`. */
function transformAxes(
  x: ComplexTensor,
  axes: readonly number[],
  lengths: readonly number[],
  inverse: boolean,
  norm: FftNorm,
  engine: FftEngine | undefined,
): ComplexTensor {
  return tf.tidy(() => {
    let re = asFloat(x.re);
    let im = asFloat(x.im);
    axes.forEach((axis, i) => {
      re = resize(re, axis, lengths[i] as number);
      im = resize(im, axis, lengths[i] as number);
    });
    const chosen = resolveEngine(engine, lengths);
    // host: planes [re | im] (re/im first); tensor: re/im just before the last transformed axis, done first
    const order = axes.map((_, i) => i);
    if (chosen === 'tensor') order.reverse();
    const reImAxis = chosen === 'host' ? 0 : (axes[order[0] as number] as number);
    const transforms = order.map((i) => {
      const axis = axes[i] as number;
      return {
        axis: axis >= reImAxis ? axis + 1 : axis,
        sign: (inverse ? 1 : -1) as FftSign,
        scale: scaleFor(lengths[i] as number, inverse, norm),
      };
    });
    const out = transformPacked(tf.stack([re, im], reImAxis), { reImAxis, transforms }, chosen);
    const [outRe, outIm] = tf.unstack(out, reImAxis) as [tf.Tensor, tf.Tensor];
    return { re: outRe, im: outIm };
  });
}

function oneAxis(x: ComplexTensor, options: FftOptions, inverse: boolean): ComplexTensor {
  checkComplex(x, inverse ? 'ifft input' : 'fft input');
  const axis = normaliseAxis(options.axis ?? -1, x.re.rank);
  const n = checkLength(options.n ?? (x.re.shape[axis] as number), 'n');
  return transformAxes(x, [axis], [n], inverse, checkNorm(options.norm ?? 'backward'), options.engine);
}

/** torch.fft.fft: the DFT X_k = Σ_j x_j·e^(−2πi·jk/n) along one axis (default the last). */
export function fft(x: ComplexTensor, options: FftOptions = {}): ComplexTensor {
  return oneAxis(x, options, false);
}

/** torch.fft.ifft: x_j = (1/n)·Σ_k X_k·e^(2πi·jk/n) with the default norm. */
export function ifft(x: ComplexTensor, options: FftOptions = {}): ComplexTensor {
  return oneAxis(x, options, true);
}

function axesAndLengths(rank: number, options: FftnOptions): { axes: number[]; lengths: (shape: number[]) => number[] } {
  const { s } = options;
  const given = options.axes ?? (s ? Array.from({ length: s.length }, (_, i) => i - s.length) : Array.from({ length: rank }, (_, i) => i));
  const axes = given.map((a) => normaliseAxis(a, rank));
  if (new Set(axes).size !== axes.length) throw new InputError(`axes [${given.join(', ')}] repeat an axis`);
  if (s && s.length !== axes.length) throw new InputError(`s has ${s.length} lengths for ${axes.length} axes`);
  return { axes, lengths: (shape) => axes.map((a, i) => checkLength(s ? (s[i] as number) : (shape[a] as number), `s[${i}]`)) };
}

function manyAxes(x: ComplexTensor, options: FftnOptions, inverse: boolean): ComplexTensor {
  checkComplex(x, inverse ? 'ifftn input' : 'fftn input');
  const { axes, lengths } = axesAndLengths(x.re.rank, options);
  return transformAxes(x, axes, lengths(x.re.shape), inverse, checkNorm(options.norm ?? 'backward'), options.engine);
}

/** torch.fft.fftn over `axes` (default every axis). */
export function fftn(x: ComplexTensor, options: FftnOptions = {}): ComplexTensor {
  return manyAxes(x, options, false);
}

export function ifftn(x: ComplexTensor, options: FftnOptions = {}): ComplexTensor {
  return manyAxes(x, options, true);
}

/** torch.fft.fft2: fftn over the last two axes. */
export function fft2(x: ComplexTensor, options: FftnOptions = {}): ComplexTensor {
  return fftn(x, { axes: [-2, -1], ...options });
}

export function ifft2(x: ComplexTensor, options: FftnOptions = {}): ComplexTensor {
  return ifftn(x, { axes: [-2, -1], ...options });
}

/**
 * torch.fft.rfft: the FFT of real input, keeping the ⌊n/2⌋ + 1 non-negative frequencies (the others are their
 * conjugates).
 */
export function rfft(x: tf.Tensor, options: FftOptions = {}): ComplexTensor {
  const axis = normaliseAxis(options.axis ?? -1, x.rank);
  const n = checkLength(options.n ?? (x.shape[axis] as number), 'n');
  const norm = checkNorm(options.norm ?? 'backward');
  return tf.tidy(() => {
    const full = transformAxes({ re: x, im: tf.zerosLike(x) }, [axis], [n], false, norm, options.engine);
    const half = Math.floor(n / 2) + 1;
    return { re: resize(full.re, axis, half), im: resize(full.im, axis, half) };
  });
}

/**
 * torch.fft.irfft: the real signal of length n (default 2·(m − 1) for m input frequencies) whose rfft is `x`. The
 * input is cropped or zero-padded to ⌊n/2⌋ + 1 frequencies and taken as Hermitian: the imaginary parts of the zero
 * (and, for even n, the Nyquist) frequency are ignored, as numpy and torch do.
 */
export function irfft(x: ComplexTensor, options: FftOptions = {}): tf.Tensor {
  checkComplex(x, 'irfft input');
  const axis = normaliseAxis(options.axis ?? -1, x.re.rank);
  const given = x.re.shape[axis] as number;
  const n = checkLength(options.n ?? 2 * (given - 1), given === 1 && options.n === undefined ? 'n (2·(1 − 1) for one input frequency; pass n)' : 'n');
  const norm = checkNorm(options.norm ?? 'backward');
  return tf.tidy(() => {
    const half = Math.floor(n / 2) + 1;
    const spectrum = { re: resize(asFloat(x.re), axis, half), im: resize(asFloat(x.im), axis, half) };
    // X[n − k] = conj(X[k]) for the frequencies above ⌊n/2⌋: the reversed conjugate of X[1 .. ⌈n/2⌉ − 1]
    const mirrored = Math.ceil(n / 2) - 1;
    let full = spectrum;
    if (mirrored > 0) {
      const begin = spectrum.re.shape.map((_, i) => (i === axis ? 1 : 0));
      const size = spectrum.re.shape.map((d, i) => (i === axis ? mirrored : d));
      const tail = complexConj({ re: tf.reverse(tf.slice(spectrum.re, begin, size), axis), im: tf.reverse(tf.slice(spectrum.im, begin, size), axis) });
      full = { re: tf.concat([spectrum.re, tail.re], axis), im: tf.concat([spectrum.im, tail.im], axis) };
    }
    return transformAxes(full, [axis], [n], true, norm, options.engine).re;
  });
}
