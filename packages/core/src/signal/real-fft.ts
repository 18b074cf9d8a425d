import { tf } from '../tf.js';
import { normaliseAxis } from './axes.js';
import { checkComplex, complexConj, type ComplexTensor } from './complex-tensor.js';
import { asFloat, resize, transformAxes } from './fft.js';
import { cachedRealPlan } from './fft-cache.js';
import { checkLength, checkNorm, resolveEngine, scaleFor, type FftOptions } from './fft-options.js';
import { realForwardHostBatch, realInverseHostBatch, type HalfSpectrumWeights } from './host-real-fft.js';

/** A real ↔ half-spectrum transform along `axis` of length n (host-real-fft.ts). */
interface HalfSpectrumTransform {
  readonly axis: number;
  readonly n: number;
  readonly weights: HalfSpectrumWeights;
  readonly scale: number;
}

function lineLayout(shape: readonly number[], axis: number): { outer: number; inner: number } {
  return {
    outer: shape.slice(0, axis).reduce((a, b) => a * b, 1),
    inner: shape.slice(axis + 1).reduce((a, b) => a * b, 1),
  };
}

/**
 * Real x → packed half spectrum [2, ...shape with `bins` along axis], on the host. Its adjoint is `halfToReal` with
 * the same weights and scale and the input's length kept (host-real-fft.ts), so each one's gradient is the other.
 */
function realToHalf(x: tf.Tensor, t: HalfSpectrumTransform, bins: number): tf.Tensor {
  const op = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = inputs[0] as tf.Tensor;
    const length = input.shape[t.axis] as number;
    const outShape = input.shape.map((d, i) => (i === t.axis ? bins : d));
    const out = new Float32Array(2 * outShape.reduce((a, b) => a * b, 1));
    const { outer, inner } = lineLayout(input.shape, t.axis);
    realForwardHostBatch(cachedRealPlan(t.n), input.dataSync() as Float32Array, out, { outer, length, bins, inner }, t.weights, t.scale);
    return {
      value: tf.tensor(out, [2, ...outShape], 'float32'),
      gradFunc: (dy: tf.Tensor) => halfToReal(dy, t, length),
    };
  });
  return op(x);
}

/** Packed half spectrum [2, ...] → real [...shape with `keep` along axis], on the host. */
function halfToReal(packed: tf.Tensor, t: HalfSpectrumTransform, keep: number): tf.Tensor {
  const op = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = inputs[0] as tf.Tensor;
    const shape = input.shape.slice(1);
    const bins = shape[t.axis] as number;
    const outShape = shape.map((d, i) => (i === t.axis ? keep : d));
    const out = new Float32Array(outShape.reduce((a, b) => a * b, 1));
    const { outer, inner } = lineLayout(shape, t.axis);
    realInverseHostBatch(cachedRealPlan(t.n), input.dataSync() as Float32Array, out, { outer, bins, keep, inner }, t.weights, t.scale);
    return {
      value: tf.tensor(out, outShape, 'float32'),
      gradFunc: (dy: tf.Tensor) => realToHalf(dy, t, bins),
    };
  });
  return op(packed);
}

function unpack(packed: tf.Tensor): ComplexTensor {
  const [re, im] = tf.unstack(packed) as [tf.Tensor, tf.Tensor];
  return { re, im };
}

/**
 * torch.fft.rfft: the FFT of real input, keeping the ⌊n/2⌋ + 1 non-negative frequencies (the others are their
 * conjugates).
 */
export function rfft(x: tf.Tensor, options: FftOptions = {}): ComplexTensor {
  const axis = normaliseAxis(options.axis ?? -1, x.rank);
  const n = checkLength(options.n ?? (x.shape[axis] as number), 'n');
  const norm = checkNorm(options.norm ?? 'backward');
  const half = Math.floor(n / 2) + 1;
  return tf.tidy(() => {
    if (resolveEngine(options.engine, [n]) === 'host') {
      return unpack(realToHalf(asFloat(x), { axis, n, weights: 'ones', scale: scaleFor(n, false, norm) }, half));
    }
    const full = transformAxes({ re: x, im: tf.zerosLike(x) }, [axis], [n], false, norm, 'tensor');
    return { re: resize(full.re, axis, half), im: resize(full.im, axis, half) };
  });
}

export interface IrfftOptions extends FftOptions {
  /** Keep only the first `keep` output samples (default n), as fftConv does; cheaper than slicing afterwards. */
  readonly keep?: number;
}

/**
 * torch.fft.irfft: the real signal of length n (default 2·(m − 1) for m input frequencies) whose rfft is `x`. The
 * input is cropped or zero-padded to ⌊n/2⌋ + 1 frequencies and taken as Hermitian: the imaginary parts of the zero
 * (and, for even n, the Nyquist) frequency are ignored, as numpy and torch do.
 */
export function irfft(x: ComplexTensor, options: IrfftOptions = {}): tf.Tensor {
  checkComplex(x, 'irfft input');
  const axis = normaliseAxis(options.axis ?? -1, x.re.rank);
  const given = x.re.shape[axis] as number;
  const n = checkLength(options.n ?? 2 * (given - 1), given === 1 && options.n === undefined ? 'n (2·(1 − 1) for one input frequency; pass n)' : 'n');
  const keep = checkLength(options.keep ?? n, 'keep');
  const norm = checkNorm(options.norm ?? 'backward');
  return tf.tidy(() => {
    if (resolveEngine(options.engine, [n]) === 'host') {
      const packed = tf.stack([asFloat(x.re), asFloat(x.im)]);
      return halfToReal(packed, { axis, n, weights: 'hermitian', scale: scaleFor(n, true, norm) }, keep);
    }
    const real = hermitianInverse(x, axis, n, norm);
    return keep === n ? real : resize(real, axis, keep);
  });
}

/** irfft in complex tensor ops: the full spectrum X[n − k] = conj(X[k]) rebuilt, inverted, its real part kept. */
function hermitianInverse(x: ComplexTensor, axis: number, n: number, norm: ReturnType<typeof checkNorm>): tf.Tensor {
  const half = Math.floor(n / 2) + 1;
  const spectrum = { re: resize(asFloat(x.re), axis, half), im: resize(asFloat(x.im), axis, half) };
  // the frequencies above ⌊n/2⌋: the reversed conjugate of X[1 .. ⌈n/2⌉ − 1]
  const mirrored = Math.ceil(n / 2) - 1;
  let full = spectrum;
  if (mirrored > 0) {
    const begin = spectrum.re.shape.map((_, i) => (i === axis ? 1 : 0));
    const size = spectrum.re.shape.map((d, i) => (i === axis ? mirrored : d));
    const mirror = (t: tf.Tensor) => tf.reverse(tf.slice(t, begin, size), axis);
    const tail = complexConj({ re: mirror(spectrum.re), im: mirror(spectrum.im) });
    full = { re: tf.concat([spectrum.re, tail.re], axis), im: tf.concat([spectrum.im, tail.im], axis) };
  }
  return transformAxes(full, [axis], [n], true, norm, 'tensor').re;
}
