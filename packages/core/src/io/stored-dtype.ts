import { CheckpointError } from '../errors.js';
import type { AllocationBudget } from './allocation-budget.js';
import { bfloat16ToFloat, halfToFloat } from './half-float.js';
import type { HostTensor } from './host-tensor.js';

/** Element types a checkpoint may store (safetensors names), with their byte sizes. */
export const STORED_DTYPE_SIZES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
} as const;

export type StoredDtype = keyof typeof STORED_DTYPE_SIZES;

export function isStoredDtype(value: unknown): value is StoredDtype {
  return typeof value === 'string' && Object.hasOwn(STORED_DTYPE_SIZES, value);
}

export interface DecodeTarget {
  readonly file: string;
  readonly name: string;
  /** Byte offset of the tensor's data in the file, for messages; absent where it is not known (inside a zip entry). */
  readonly offset?: number;
}

/**
 * Decodes little-endian stored elements into a tfjs host tensor: floats → float32, integers → int32 (64-bit values
 * outside the int32 range are an error naming the tensor and value), BOOL → bool. `bytes` holds exactly numel elements.
 */
export function decodeStored(
  bytes: Uint8Array,
  dtype: StoredDtype,
  shape: readonly number[],
  target: DecodeTarget,
  budget: AllocationBudget,
): HostTensor {
  const n = bytes.length / STORED_DTYPE_SIZES[dtype];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const what = `tensor '${target.name}'`;
  switch (dtype) {
    case 'F32': {
      const out = budget.float32(n, what, target.offset);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
      return { dtype: 'float32', shape, values: out };
    }
    case 'F64':
    case 'F16':
    case 'BF16': {
      const out = budget.float32(n, what, target.offset);
      for (let i = 0; i < n; i++) {
        out[i] =
          dtype === 'F64'
            ? view.getFloat64(i * 8, true)
            : dtype === 'F16'
              ? halfToFloat(view.getUint16(i * 2, true))
              : bfloat16ToFloat(view.getUint16(i * 2, true));
      }
      return { dtype: 'float32', shape, values: out };
    }
    case 'I64': {
      const out = budget.int32(n, what, target.offset);
      for (let i = 0; i < n; i++) {
        const value = view.getBigInt64(i * 8, true);
        if (value > 2147483647n || value < -2147483648n) {
          throw new CheckpointError(target.file, `${what} (I64) holds ${value} at element ${i}, outside the int32 range tfjs can hold`, target.offset === undefined ? undefined : target.offset + i * 8);
        }
        out[i] = Number(value);
      }
      return { dtype: 'int32', shape, values: out };
    }
    case 'I32':
    case 'I16':
    case 'I8':
    case 'U8': {
      const out = budget.int32(n, what, target.offset);
      for (let i = 0; i < n; i++) {
        out[i] =
          dtype === 'I32' ? view.getInt32(i * 4, true) : dtype === 'I16' ? view.getInt16(i * 2, true) : dtype === 'I8' ? view.getInt8(i) : view.getUint8(i);
      }
      return { dtype: 'int32', shape, values: out };
    }
    case 'BOOL': {
      const out = budget.uint8(n, what, target.offset);
      for (let i = 0; i < n; i++) out[i] = view.getUint8(i) ? 1 : 0;
      return { dtype: 'bool', shape, values: out };
    }
  }
}
