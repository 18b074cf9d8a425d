import { CheckpointError } from '../errors.js';
import type { HostTensor, StateDict, StoredTensorInfo } from './host-tensor.js';
import { decodePth, listPthTensors, readPth } from './pth-read.js';
import { decodeSafetensors, loadFileBytes, parseSafetensorsHeader, readSafetensors, type FileBytes } from './safetensors-read.js';

export type WeightsFormat = 'safetensors' | 'pth';

/** Extensions PyTorch checkpoints go by: such a file is read as a torch.save zip, never as safetensors. */
const TORCH_EXTENSIONS = ['.pth', '.pt', '.bin', '.ckpt'];

/** An 8-byte little-endian header length followed by a JSON object. */
function looksLikeSafetensors(bytes: Uint8Array): boolean {
  return bytes.length > 9 && bytes[8] === 0x7b && bytes[6] === 0 && bytes[7] === 0;
}

/**
 * A zip (PK\x03\x04) is a torch.save archive; a file named like a PyTorch checkpoint must be one; anything else is
 * read as safetensors, whose header is validated.
 */
export function detectWeightsFormat({ bytes, file }: FileBytes): WeightsFormat {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'pth';
  if (!TORCH_EXTENSIONS.some((ext) => file.toLowerCase().endsWith(ext)) || looksLikeSafetensors(bytes)) return 'safetensors';
  if (bytes.length === 0) throw new CheckpointError(file, 'the file is empty', 0);
  if (bytes[0] === 0x80) {
    throw new CheckpointError(file, 'this is a legacy (pre-1.6, non-zip) torch.save file; re-save it with a current torch', 0);
  }
  const start = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new CheckpointError(
    file,
    `not a PyTorch checkpoint: torch.save writes a zip archive (starting with bytes 50 4b 03 04, "PK"), this file starts with ${start}`,
    0,
  );
}

/** Reads a .safetensors or .pth file into tf tensors (a state dict for `Module.loadStateDict`). */
export function readWeights(file: string): StateDict {
  const source = loadFileBytes(file);
  return detectWeightsFormat(source) === 'pth' ? readPth(source.bytes, file) : readSafetensors(source.bytes, file);
}

/**
 * Reads a .safetensors or .pth file into host memory without creating tf tensors: `Module.loadStateDict` then moves
 * one tensor at a time into the backend (a 1.7 GB model would otherwise need 3.4 GB of wasm heap while loading).
 */
export function readHostWeights(file: string): Map<string, HostTensor> {
  const source = loadFileBytes(file);
  return detectWeightsFormat(source) === 'pth' ? decodePth(source) : decodeSafetensors(source).tensors;
}

export interface WeightsInspection {
  readonly file: string;
  readonly format: WeightsFormat;
  readonly fileBytes: number;
  readonly tensors: readonly StoredTensorInfo[];
  readonly totalBytes: number;
  readonly totalParameters: number;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** What `nextx inspect` prints: each tensor's name, stored dtype, shape and bytes, without creating tf tensors. */
export function inspectWeights(file: string): WeightsInspection {
  const source = loadFileBytes(file);
  const format = detectWeightsFormat(source);
  let tensors: StoredTensorInfo[];
  let metadata: Readonly<Record<string, string>> | undefined;
  if (format === 'pth') {
    tensors = listPthTensors(source);
  } else {
    const header = parseSafetensorsHeader(source);
    tensors = header.entries.map(({ name, dtype, shape, bytes }) => ({ name, dtype, shape, bytes }));
    metadata = header.metadata;
  }
  return {
    file,
    format,
    fileBytes: source.bytes.length,
    tensors,
    totalBytes: tensors.reduce((sum, t) => sum + t.bytes, 0),
    totalParameters: tensors.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0),
    ...(metadata ? { metadata } : {}),
  };
}
