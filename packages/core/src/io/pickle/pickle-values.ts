/** A whitelisted Python global, as the restricted unpickler represents it. */
export interface PyGlobal {
  readonly kind: 'global';
  readonly module: string;
  readonly name: string;
}

/** A storage named by a persistent id: ('storage', torch.<Type>Storage, key, location, numel). */
export interface StorageRef {
  readonly kind: 'storage';
  readonly storageType: string;
  readonly key: string;
  readonly numel: number;
}

/** torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, ...). */
export interface TensorRef {
  readonly kind: 'tensor';
  readonly storage: StorageRef;
  readonly offset: number;
  readonly size: readonly number[];
  readonly stride: readonly number[];
}

/** Python values a state-dict pickle can hold. Tuples and lists are arrays; dicts and OrderedDicts are Maps. */
export type PyValue = null | boolean | number | bigint | string | PyValue[] | Map<PyValue, PyValue> | PyGlobal | StorageRef | TensorRef;

export const isGlobal = (v: unknown): v is PyGlobal => typeof v === 'object' && v !== null && (v as PyGlobal).kind === 'global';
