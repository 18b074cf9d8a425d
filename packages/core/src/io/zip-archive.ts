import { unzipSync } from 'fflate';
import { CheckpointError } from '../errors.js';
import type { AllocationBudget } from './allocation-budget.js';

/** A central-directory record takes at least 46 bytes, so no honest archive has more entries than this. */
const maxEntries = (bytes: Uint8Array) => Math.floor(bytes.length / 46);

/**
 * Reads the entries of a torch.save zip archive. torch never compresses, so only STORED entries whose sizes fit in
 * the file are accepted. fflate parses the container; its filter sees every central-directory record first, and
 * refusing one throws out of fflate's loop at once (an archive claiming billions of entries cannot make it spin).
 */
export function readStoredZip(bytes: Uint8Array, file: string, budget: AllocationBudget): Map<string, Uint8Array> {
  if (bytes.length < 22 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    throw new CheckpointError(file, 'not a zip archive (a PyTorch .pth file from torch.save is a zip)', 0);
  }
  checkEndRecord(bytes, file);
  let seen = 0;
  try {
    const entries = unzipSync(bytes, {
      filter(info) {
        if (++seen > maxEntries(bytes)) throw new CheckpointError(file, `the zip directory claims more entries than a ${bytes.length}-byte file can hold`);
        if (info.compression !== 0) {
          throw new CheckpointError(file, `zip entry '${info.name}' is compressed (method ${info.compression}); torch.save writes STORED entries only`);
        }
        if (info.size !== info.originalSize || !(info.size <= bytes.length)) {
          throw new CheckpointError(file, `zip entry '${info.name}' declares ${info.originalSize} bytes, inconsistent with the ${bytes.length}-byte file`);
        }
        budget.take(info.size, `zip entry '${info.name}'`);
        return true;
      },
    });
    return new Map(Object.entries(entries));
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    // fflate's "invalid zip data" is its search for the end-of-central-directory record failing.
    if ((error as Error).message === 'invalid zip data') {
      throw new CheckpointError(file, 'no end-of-central-directory record in the last 64 KiB: the archive is truncated or not a zip', bytes.length);
    }
    throw new CheckpointError(file, `the zip container is corrupt (${(error as Error).message})`);
  }
}

const END_RECORD = 0x06054b50; // "PK\x05\x06", the end-of-central-directory record
const END_RECORD_BYTES = 22;

/**
 * A zip ends with its end-of-central-directory record (within the last 22 + 65,535 bytes, the comment's maximum),
 * and the central directory it points to lies before it. Without them an archive that starts like a zip was cut off.
 */
function checkEndRecord(bytes: Uint8Array, file: string): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lowest = Math.max(0, bytes.length - END_RECORD_BYTES - 0xffff);
  let at = -1;
  for (let i = bytes.length - END_RECORD_BYTES; i >= lowest; i--) {
    if (view.getUint32(i, true) === END_RECORD) {
      at = i;
      break;
    }
  }
  const truncated = (detail: string) =>
    new CheckpointError(file, `truncated: ${detail}; the file has ${bytes.length} bytes (an interrupted download or copy?)`, bytes.length);
  if (at < 0) throw truncated('no end-of-central-directory record in the last 64 KiB');
  const directorySize = view.getUint32(at + 12, true);
  const directoryOffset = view.getUint32(at + 16, true);
  // ZIP64 archives store 0xffffffff here and the real figures in their own record; fflate checks those.
  if (directoryOffset !== 0xffffffff && directoryOffset + directorySize > at) {
    throw truncated(`the zip central directory (bytes ${directoryOffset}–${directoryOffset + directorySize}) runs past its end record at byte ${at}`);
  }
}
