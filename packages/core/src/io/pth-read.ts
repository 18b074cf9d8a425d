import { CheckpointError } from '../errors.js';
import { budgetFor, type AllocationBudget } from './allocation-budget.js';
import { hostToStateDict, type HostTensor, type StateDict, type StoredTensorInfo } from './host-tensor.js';
import { RestrictedUnpickler, TORCH_STORAGE_DTYPES } from './pickle/restricted-unpickler.js';
import type { PyValue, StorageRef, TensorRef } from './pickle/pickle-values.js';
import { loadFileBytes, type FileBytes } from './safetensors-read.js';
import { decodeStored, STORED_DTYPE_SIZES, type StoredDtype } from './stored-dtype.js';
import { readStoredZip } from './zip-archive.js';

interface PthArchive {
  readonly tensors: Map<string, TensorRef>;
  readonly storages: ReadonlyMap<string, Uint8Array>;
}

/** Unzips a torch.save archive and unpickles its `<stem>/data.pkl` with the restricted unpickler. */
function openPth({ bytes, file }: FileBytes, budget: AllocationBudget): PthArchive {
  const entries = readStoredZip(bytes, file, budget);
  const pickles = [...entries.keys()].filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickles.length !== 1) throw new CheckpointError(file, `expected one '<stem>/data.pkl' in the archive, found ${pickles.length}`);
  const pickleName = pickles[0] as string;
  const stem = pickleName.slice(0, -'/data.pkl'.length);
  const byteorder = entries.get(`${stem}/byteorder`);
  if (byteorder && new TextDecoder().decode(byteorder).trim() !== 'little') {
    throw new CheckpointError(file, `${stem}/byteorder says the storages are not little-endian; only little-endian archives are read`);
  }
  const storages = new Map<string, Uint8Array>();
  const pickleFile = `${file}:${pickleName}`; // offsets in these messages are inside the pickle
  const persistentLoad = (pid: PyValue, offset: number): StorageRef => {
    const storage = storageOf(pid, pickleFile, offset);
    const data = entries.get(`${stem}/data/${storage.key}`);
    const size = STORED_DTYPE_SIZES[TORCH_STORAGE_DTYPES[storage.storageType] as StoredDtype];
    if (!data) throw new CheckpointError(pickleFile, `storage '${storage.key}' has no entry ${stem}/data/${storage.key}`, offset);
    if (data.length !== storage.numel * size) {
      throw new CheckpointError(pickleFile, `storage '${storage.key}' declares ${storage.numel} elements but holds ${data.length} bytes`, offset);
    }
    storages.set(storage.key, data);
    return storage;
  };
  const root = new RestrictedUnpickler(entries.get(pickleName) as Uint8Array, pickleFile, persistentLoad).load();
  if (!(root instanceof Map)) throw new CheckpointError(file, 'the pickle does not hold a state dict (an OrderedDict of tensors)');
  const tensors = new Map<string, TensorRef>();
  for (const [name, value] of root) {
    if (typeof name !== 'string') throw new CheckpointError(file, `state-dict key ${String(name)} is not a string`);
    if (!(typeof value === 'object' && value !== null && (value as TensorRef).kind === 'tensor')) {
      throw new CheckpointError(file, `state-dict entry '${name}' is not a tensor`);
    }
    tensors.set(name, value as TensorRef);
  }
  return { tensors, storages };
}

function storageOf(pid: PyValue, file: string, offset: number): StorageRef {
  if (!Array.isArray(pid) || pid.length !== 5 || pid[0] !== 'storage') {
    throw new CheckpointError(file, "persistent id must be ('storage', type, key, location, numel)", offset);
  }
  const [, type, key, , numel] = pid;
  const typeName = typeof type === 'object' && type !== null && 'kind' in type && type.kind === 'global' ? type.name : undefined;
  if (!typeName || !(typeName in TORCH_STORAGE_DTYPES)) throw new CheckpointError(file, 'persistent id names no known storage type', offset);
  if (typeof key !== 'string' || typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) {
    throw new CheckpointError(file, 'persistent id has a bad key or element count', offset);
  }
  return { kind: 'storage', storageType: typeName, key, numel };
}

function dtypeOf(ref: TensorRef): StoredDtype {
  return TORCH_STORAGE_DTYPES[ref.storage.storageType] as StoredDtype;
}

/** The tensor's bytes in C order: a view when it is contiguous, else gathered element by element (bounds-checked). */
function contiguousBytes(name: string, ref: TensorRef, storage: Uint8Array, file: string, budget: AllocationBudget): Uint8Array {
  const size = STORED_DTYPE_SIZES[dtypeOf(ref)];
  const numel = ref.size.reduce((a, b) => a * b, 1);
  if (numel === 0) return new Uint8Array(0);
  const lastIndex = ref.offset + ref.size.reduce((sum, d, i) => sum + (d - 1) * (ref.stride[i] as number), 0);
  if (!Number.isSafeInteger(lastIndex) || lastIndex >= ref.storage.numel) {
    throw new CheckpointError(file, `tensor '${name}': offset ${ref.offset}, size [${ref.size.join(', ')}] and stride [${ref.stride.join(', ')}] reach past its ${ref.storage.numel}-element storage`);
  }
  let expected = 1;
  const contiguous = ref.size.every((_, i) => {
    const axis = ref.size.length - 1 - i;
    const ok = (ref.size[axis] as number) === 1 || ref.stride[axis] === expected;
    expected *= ref.size[axis] as number;
    return ok;
  });
  if (contiguous) return storage.subarray(ref.offset * size, (ref.offset + numel) * size);
  budget.take(numel * size, `gathering the non-contiguous tensor '${name}'`);
  const out = new Uint8Array(numel * size);
  const index = new Array<number>(ref.size.length).fill(0);
  for (let i = 0; i < numel; i++) {
    const source = ref.offset + index.reduce((sum, v, axis) => sum + v * (ref.stride[axis] as number), 0);
    out.set(storage.subarray(source * size, (source + 1) * size), i * size);
    for (let axis = index.length - 1; axis >= 0; axis--) {
      index[axis] = (index[axis] as number) + 1;
      if ((index[axis] as number) < (ref.size[axis] as number)) break;
      index[axis] = 0;
    }
  }
  return out;
}

/** Decodes every tensor of a .pth state dict into host memory (same conversions as the safetensors reader). */
export function decodePth(source: FileBytes, budget: AllocationBudget = budgetFor(source.file, source.bytes.length)): Map<string, HostTensor> {
  const archive = openPth(source, budget);
  const out = new Map<string, HostTensor>();
  for (const [name, ref] of archive.tensors) {
    const storage = archive.storages.get(ref.storage.key) as Uint8Array;
    const raw = contiguousBytes(name, ref, storage, source.file, budget);
    out.set(name, decodeStored(raw, dtypeOf(ref), ref.size, { file: source.file, name }, budget));
  }
  return out;
}

/** Names, stored dtypes, shapes and bytes of a .pth state dict, without decoding tensor data. */
export function listPthTensors(source: FileBytes): StoredTensorInfo[] {
  const archive = openPth(source, budgetFor(source.file, source.bytes.length));
  return [...archive.tensors].map(([name, ref]) => ({
    name,
    dtype: dtypeOf(ref),
    shape: ref.size,
    bytes: ref.size.reduce((a, b) => a * b, 1) * STORED_DTYPE_SIZES[dtypeOf(ref)],
  }));
}

/** Reads a PyTorch .pth state dict (torch.save zip format) into tf tensors; no code in the file is ever run. */
export function readPth(source: string | Uint8Array, name?: string): StateDict {
  return hostToStateDict(decodePth(loadFileBytes(source, name)));
}
