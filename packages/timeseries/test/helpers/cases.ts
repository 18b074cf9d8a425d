import { tf } from '@nextx/core';
import { caseTensor, readCases, type CaseTensor, type FixtureName } from './fixture.js';

/** Accessors for one fixture's cases: float64 values, float32 tf tensors, and reading a tensor back (disposed). */
export function caseAccess(name: FixtureName) {
  const cases = readCases(name);
  const get = (key: string): CaseTensor => caseTensor(cases, key);
  return {
    cases,
    get,
    values: (key: string): Float64Array => get(key).values,
    tensor: (key: string): tf.Tensor => tf.tensor(Float32Array.from(get(key).values), get(key).shape, 'float32'),
    has: (key: string): boolean => cases.has(key),
  };
}

/** The tensor's values, then disposes it. */
export function host(t: tf.Tensor): Float32Array {
  const data = t.dataSync() as Float32Array;
  t.dispose();
  return data;
}
