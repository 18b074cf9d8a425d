import { tf, InputError, type ComplexTensor } from '@nextx/core';

/**
 * Complex data on the host: real and imaginary parts as two float32 arrays of one row-major shape (what file readers
 * return and writers take). `ComplexTensor` is the same on a backend.
 */
export interface ComplexArray {
  readonly re: Float32Array;
  readonly im: Float32Array;
  readonly shape: readonly number[];
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A zero-filled complex array of `shape`. */
export function zerosComplex(shape: readonly number[]): ComplexArray {
  const n = sizeOf(shape);
  return { re: new Float32Array(n), im: new Float32Array(n), shape: [...shape] };
}

/** Throws an InputError naming `what` unless `z` is a complex array whose parts match its shape. */
export function checkComplexArray(z: unknown, what: string): asserts z is ComplexArray {
  const candidate = z as Partial<ComplexArray> | undefined;
  if (!candidate || !(candidate.re instanceof Float32Array) || !(candidate.im instanceof Float32Array) || !Array.isArray(candidate.shape)) {
    throw new InputError(`${what} must be complex: {re, im} Float32Arrays with a shape; got ${describe(z)}`);
  }
  const n = sizeOf(candidate.shape);
  if (candidate.re.length !== n || candidate.im.length !== n) {
    throw new InputError(`${what}: shape [${candidate.shape.join(', ')}] needs ${n} values, re has ${candidate.re.length} and im ${candidate.im.length}`);
  }
}

/** Throws an InputError naming `what` unless `z` is a ComplexTensor (a {re, im} pair of float tensors of one shape). */
export function checkComplexTensor(z: unknown, what: string, minRank = 2): asserts z is ComplexTensor {
  const candidate = z as Partial<ComplexTensor> | undefined;
  if (!candidate || !(candidate.re instanceof tf.Tensor) || !(candidate.im instanceof tf.Tensor)) {
    throw new InputError(`${what} must be complex (a {re, im} pair of float tensors); got ${describe(z)}`);
  }
  const { re, im } = candidate;
  if (re.dtype !== 'float32' || im.dtype !== 'float32') throw new InputError(`${what} must be float32; got re ${re.dtype}, im ${im.dtype}`);
  if (re.rank !== im.rank || re.shape.some((d, i) => d !== im.shape[i])) {
    throw new InputError(`${what}: re has shape [${re.shape.join(', ')}] but im has [${im.shape.join(', ')}]`);
  }
  if (re.rank < minRank) throw new InputError(`${what} must have at least ${minRank} axes ([..., H, W]); got shape [${re.shape.join(', ')}]`);
}

function describe(value: unknown): string {
  if (value instanceof tf.Tensor) return `a real ${value.dtype} tensor of shape [${value.shape.join(', ')}]`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return `an object with keys ${Object.keys(value).join(', ') || '(none)'}`;
  return typeof value;
}

export function toComplexTensor(z: ComplexArray): ComplexTensor {
  checkComplexArray(z, 'complex array');
  return { re: tf.tensor(z.re, [...z.shape], 'float32'), im: tf.tensor(z.im, [...z.shape], 'float32') };
}

/** Downloads a ComplexTensor (the caller still owns it). */
export function toComplexArray(z: ComplexTensor): ComplexArray {
  checkComplexTensor(z, 'complex tensor', 0);
  return { re: Float32Array.from(z.re.dataSync() as Float32Array), im: Float32Array.from(z.im.dataSync() as Float32Array), shape: [...z.re.shape] };
}

/** |z| elementwise. */
export function magnitude(z: ComplexArray): Float32Array {
  const out = new Float32Array(z.re.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.hypot(z.re[i] as number, z.im[i] as number);
  return out;
}
