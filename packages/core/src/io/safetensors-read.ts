import { readFileSync } from 'node:fs';
import { CheckpointError } from '../errors.js';
import { budgetFor, type AllocationBudget } from './allocation-budget.js';
import { hostToStateDict, type HostTensor, type StateDict, type StoredTensorInfo } from './host-tensor.js';
import { decodeStored, isStoredDtype, STORED_DTYPE_SIZES, type StoredDtype } from './stored-dtype.js';

/** A header larger than this is refused outright (real headers are kilobytes). */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface SafetensorsEntry extends StoredTensorInfo {
  readonly dtype: StoredDtype;
  /** Byte range within the data section (after the header). */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  readonly entries: readonly SafetensorsEntry[];
  readonly metadata: Readonly<Record<string, string>>;
  /** File offset of the data section. */
  readonly dataStart: number;
}

/** File bytes and a name for messages. */
export interface FileBytes {
  readonly bytes: Uint8Array;
  readonly file: string;
}

export function loadFileBytes(source: string | Uint8Array, name?: string): FileBytes {
  if (typeof source !== 'string') return { bytes: source, file: name ?? '<bytes>' };
  try {
    return { bytes: new Uint8Array(readFileSync(source)), file: source };
  } catch (error) {
    throw new CheckpointError(source, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/**
 * Parses and validates a safetensors header before anything is allocated: header length within the file, UTF-8 JSON
 * object, known dtypes, shapes of non-negative safe integers, byte ranges inside the data section that match
 * numel × dtype size and do not overlap.
 */
export function parseSafetensorsHeader({ bytes, file }: FileBytes): SafetensorsHeader {
  if (bytes.length < 8) throw new CheckpointError(file, `a safetensors file starts with an 8-byte header length; the file has ${bytes.length} bytes`, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) {
    throw new CheckpointError(file, `header length ${declared} exceeds the 100 MB limit: not a safetensors file`, 0);
  }
  if (declared > BigInt(bytes.length - 8)) {
    const looksLikeHeader = bytes[8] === 0x7b; // '{'
    throw new CheckpointError(
      file,
      looksLikeHeader
        ? `truncated: the header alone needs ${declared} bytes, the file has ${bytes.length - 8} after the length field (an interrupted download or copy?)`
        : `header length ${declared} exceeds the ${bytes.length - 8} bytes after it: not a safetensors file`,
      0,
    );
  }
  const headerLength = Number(declared);
  const dataStart = 8 + headerLength;
  const json = parseHeaderJson(bytes.subarray(8, dataStart), file);
  const dataLength = bytes.length - dataStart;
  checkNotTruncated(json, dataLength, dataStart, file);
  const entries: SafetensorsEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') metadata = parseMetadata(value, file);
    else entries.push(parseEntry(name, value, dataLength, dataStart, file));
  }
  checkNoOverlap(entries, dataStart, file);
  return { entries, metadata, dataStart };
}

function parseHeaderJson(header: Uint8Array, file: string): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(header);
  } catch {
    throw new CheckpointError(file, 'the header is not valid UTF-8', 8);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(file, `the header is not valid JSON (${(error as Error).message})`, 8);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CheckpointError(file, 'the header must be a JSON object of tensor entries', 8);
  }
  return json as Record<string, unknown>;
}

function parseMetadata(value: unknown, file: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw new CheckpointError(file, '__metadata__ must be an object of strings', 8);
  }
  return { ...(value as Record<string, string>) };
}

const isSafeCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function parseEntry(name: string, value: unknown, dataLength: number, dataStart: number, file: string): SafetensorsEntry {
  const bad = (detail: string) => new CheckpointError(file, `tensor '${name}': ${detail}`, 8);
  if (typeof value !== 'object' || value === null) throw bad('entry must be an object');
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (!isStoredDtype(dtype)) throw bad(`unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(STORED_DTYPE_SIZES).join(', ')})`);
  if (!Array.isArray(shape) || !shape.every(isSafeCount)) throw bad(`shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isSafeCount)) {
    throw bad(`data_offsets must be [begin, end], got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLength) throw bad(`data_offsets [${begin}, ${end}] lie outside the ${dataLength}-byte data section`);
  const bytes = end - begin;
  let numel = (shape as number[]).includes(0) ? 0 : 1;
  for (const d of shape as number[]) {
    if (numel * STORED_DTYPE_SIZES[dtype] > bytes) break; // already too large; stop before the product overflows
    numel *= d;
  }
  if (numel * STORED_DTYPE_SIZES[dtype] !== bytes) {
    throw new CheckpointError(file, `tensor '${name}': shape [${shape.join(', ')}] of ${dtype} needs a different byte count than its ${bytes}-byte range`, dataStart + begin);
  }
  return { name, dtype, shape: shape as number[], bytes, begin, end };
}

/** The data section must reach the furthest end any entry declares; a shorter file was cut off. */
function checkNotTruncated(json: Record<string, unknown>, dataLength: number, dataStart: number, file: string): void {
  let furthest = 0;
  for (const [name, value] of Object.entries(json)) {
    const offsets = name === '__metadata__' ? undefined : (value as { data_offsets?: unknown } | null)?.data_offsets;
    const end = Array.isArray(offsets) ? offsets[1] : undefined;
    if (isSafeCount(end) && end > furthest) furthest = end;
  }
  if (furthest > dataLength) {
    throw new CheckpointError(
      file,
      `truncated: the header places tensor data up to byte ${dataStart + furthest}, the file ends at byte ${dataStart + dataLength} ` +
        `(${furthest - dataLength} bytes missing; an interrupted download or copy?)`,
      dataStart + dataLength,
    );
  }
}

function checkNoOverlap(entries: readonly SafetensorsEntry[], dataStart: number, file: string): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as SafetensorsEntry;
    const cur = sorted[i] as SafetensorsEntry;
    if (cur.begin < prev.end) {
      throw new CheckpointError(file, `tensors '${prev.name}' and '${cur.name}' overlap`, dataStart + cur.begin);
    }
  }
}

/** Decodes every tensor into host memory (F16/BF16/F64 → float32, integers → int32, BOOL → bool). */
export function decodeSafetensors(source: FileBytes, budget: AllocationBudget = budgetFor(source.file, source.bytes.length)): {
  tensors: Map<string, HostTensor>;
  metadata: Readonly<Record<string, string>>;
} {
  const header = parseSafetensorsHeader(source);
  const tensors = new Map<string, HostTensor>();
  for (const entry of header.entries) {
    const offset = header.dataStart + entry.begin;
    const raw = source.bytes.subarray(offset, header.dataStart + entry.end);
    tensors.set(entry.name, decodeStored(raw, entry.dtype, entry.shape, { file: source.file, name: entry.name, offset }, budget));
  }
  return { tensors, metadata: header.metadata };
}

/** Reads a .safetensors file (or its bytes) into tf tensors. */
export function readSafetensors(source: string | Uint8Array, name?: string): StateDict {
  return hostToStateDict(decodeSafetensors(loadFileBytes(source, name)).tensors);
}

/** Reads a .safetensors file (or its bytes) into tf tensors, with its `__metadata__` string map. */
export function readSafetensorsWithMetadata(
  source: string | Uint8Array,
  name?: string,
): { tensors: StateDict; metadata: Readonly<Record<string, string>> } {
  const decoded = decodeSafetensors(loadFileBytes(source, name));
  return { tensors: hostToStateDict(decoded.tensors), metadata: decoded.metadata };
}
