import { tf } from '../tf.js';

/** tfjs dtypes a checkpoint tensor becomes. */
export type HostDtype = 'float32' | 'int32' | 'bool';

/** A tensor decoded into host memory, before (or instead of) becoming a tf tensor. */
export interface HostTensor {
  readonly dtype: HostDtype;
  readonly shape: readonly number[];
  readonly values: Float32Array | Int32Array | Uint8Array;
}

import type { StateDict } from '../nn/module.js';

export type { StateDict };

/** One stored tensor as a file describes it (for `nextx inspect`): the stored dtype, not the converted one. */
export interface StoredTensorInfo {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly bytes: number;
}

/** A decoded host tensor rather than a tf tensor (tf tensors carry no `values`). */
export function isHostTensor(value: tf.Tensor | HostTensor): value is HostTensor {
  return 'values' in value;
}

export function hostToTensor(host: HostTensor): tf.Tensor {
  return tf.tensor(host.values, [...host.shape], host.dtype);
}

export function hostToStateDict(hosts: ReadonlyMap<string, HostTensor>): StateDict {
  const out: StateDict = {};
  try {
    for (const [name, host] of hosts) out[name] = hostToTensor(host);
  } catch (error) {
    tf.dispose(Object.values(out));
    throw error;
  }
  return out;
}

export function numelOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
