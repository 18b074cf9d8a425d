import { tf } from '../tf.js';
import { InputError } from '../errors.js';
import { inversePermutation, normaliseAxis } from './axes.js';
import { checkComplex, type ComplexTensor } from './complex-tensor.js';
import { cachedHostPlan } from './fft-cache.js';
import { checkLength, checkNorm, resolveEngine, scaleFor, type FftEngine, type FftNorm, type FftnOptions, type FftOptions } from './fft-options.js';
import { transformHostBatch, type FftSign } from './host-fft.js';
import { tensorFft } from './tensor-fft.js';

export type { FftEngine, FftNorm, FftnOptions, FftOptions } from './fft-options.js';

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
export function resize(x: tf.Tensor, axis: number, n: number): tf.Tensor {
  const size = x.shape[axis] as number;
  if (size === n) return x;
  if (size > n) return tf.slice(x, x.shape.map(() => 0), x.shape.map((d, i) => (i === axis ? n : d)));
  return tf.pad(x, x.shape.map((_, i) => (i === axis ? [0, n - size] : [0, 0])) as Array<[number, number]>);
}

export function asFloat(x: tf.Tensor): tf.Tensor {
  return x.dtype === 'float32' ? x : tf.cast(x, 'float32');
}

/** Complex transforms along `axes` (normalised) with lengths `lengths`. */
export function transformAxes(
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
    // host: planes [re | im] (re/im first); tensor: re/im just before the last listed axis, which goes first
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

