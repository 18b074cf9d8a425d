import type { tf } from '../tf.js';
import { InputError } from '../errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { floatToBfloat16, floatToHalf } from './half-float.js';
import { numelOf, type StateDict } from './host-tensor.js';
import { STORED_DTYPE_SIZES } from './stored-dtype.js';

export type WritableDtype = 'F32' | 'F16' | 'BF16' | 'I32' | 'U8' | 'BOOL';

export interface SafetensorsWriteOptions {
  /** Free-form string metadata (`__metadata__`). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Storage type of float32 tensors (default F32). */
  readonly floatDtype?: 'F32' | 'F16' | 'BF16';
  /** Per-tensor storage type, overriding the defaults: F32/F16/BF16 for float32, I32/U8 for int32, BOOL for bool. */
  readonly dtypes?: Readonly<Record<string, WritableDtype>>;
}

const ACCEPTED: Readonly<Record<string, readonly WritableDtype[]>> = {
  float32: ['F32', 'F16', 'BF16'],
  int32: ['I32', 'U8'],
  bool: ['BOOL'],
};

function storedDtypeOf(tensor: tf.Tensor, name: string, options: SafetensorsWriteOptions): WritableDtype {
  const accepted = ACCEPTED[tensor.dtype];
  if (!accepted) throw new InputError(`tensor '${name}' has dtype ${tensor.dtype}, which safetensors output does not support`);
  const chosen = options.dtypes?.[name] ?? (tensor.dtype === 'float32' ? (options.floatDtype ?? 'F32') : accepted[0]);
  if (!chosen || !accepted.includes(chosen)) {
    throw new InputError(`tensor '${name}' (${tensor.dtype}) cannot be stored as ${String(chosen)}; accepted: ${accepted.join(', ')}`);
  }
  return chosen;
}

function encodeValues(values: tf.TypedArray, dtype: WritableDtype, name: string): Uint8Array {
  const out = new Uint8Array(values.length * STORED_DTYPE_SIZES[dtype]);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (dtype === 'F32') view.setFloat32(i * 4, v, true);
    else if (dtype === 'F16') view.setUint16(i * 2, floatToHalf(v), true);
    else if (dtype === 'BF16') view.setUint16(i * 2, floatToBfloat16(v), true);
    else if (dtype === 'I32') view.setInt32(i * 4, v, true);
    else if (dtype === 'BOOL') out[i] = v ? 1 : 0;
    else if (v >= 0 && v <= 255) out[i] = v;
    else throw new InputError(`tensor '${name}' holds ${v} at element ${i}, outside the U8 range 0..255`);
  }
  return out;
}

/**
 * Encodes tensors as safetensors: header JSON padded with spaces to a multiple of 8, tensors back to back in the
 * given order, little-endian.
 */
export function encodeSafetensors(tensors: StateDict, options: SafetensorsWriteOptions = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (options.metadata) header['__metadata__'] = options.metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, tensor] of Object.entries(tensors)) {
    if (name === '__metadata__') throw new InputError("a tensor cannot be named '__metadata__' (safetensors reserves it)");
    const dtype = storedDtypeOf(tensor, name, options);
    const data = encodeValues(tensor.dataSync(), dtype, name);
    if (data.length !== numelOf(tensor.shape) * STORED_DTYPE_SIZES[dtype]) throw new InputError(`tensor '${name}' has inconsistent data`);
    header[name] = { dtype, shape: tensor.shape, data_offsets: [offset, offset + data.length] };
    chunks.push(data);
    offset += data.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Writes a .safetensors file atomically. */
export function writeSafetensors(path: string, tensors: StateDict, options: SafetensorsWriteOptions = {}): void {
  writeFileAtomic(path, encodeSafetensors(tensors, options));
}
