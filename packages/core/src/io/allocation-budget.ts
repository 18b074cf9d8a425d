import { CheckpointError } from '../errors.js';

/**
 * Every host buffer a reader creates is sized from the file's own claims, so each is requested through a budget:
 * a claim larger than what the file can back is refused before anything is allocated. `largest` and `total` let
 * tests verify that no input, however hostile, made a reader allocate more than its size allows.
 */
export class AllocationBudget {
  largest = 0;
  total = 0;

  constructor(
    readonly file: string,
    /** Bytes the whole read may allocate (decoded tensors included). */
    readonly limit: number,
  ) {}

  /** Checks a request of `bytes` for `what` and records it; throws CheckpointError past the limit. */
  take(bytes: number, what: string, offset?: number): void {
    if (!Number.isSafeInteger(bytes) || bytes < 0 || this.total + bytes > this.limit) {
      throw new CheckpointError(this.file, `${what} needs ${bytes} bytes, more than the file can hold (limit ${this.limit})`, offset);
    }
    this.total += bytes;
    this.largest = Math.max(this.largest, bytes);
  }

  float32(count: number, what: string, offset?: number): Float32Array {
    this.take(count * 4, what, offset);
    return new Float32Array(count);
  }

  int32(count: number, what: string, offset?: number): Int32Array {
    this.take(count * 4, what, offset);
    return new Int32Array(count);
  }

  uint8(count: number, what: string, offset?: number): Uint8Array {
    this.take(count, what, offset);
    return new Uint8Array(count);
  }
}

/** Decoded tensors may widen (F16 → F32 doubles), so a read may allocate up to twice the file's size. */
export function budgetFor(file: string, fileBytes: number): AllocationBudget {
  return new AllocationBudget(file, 2 * fileBytes + 1024);
}
