import { tf } from '../../tf.js';
import { BackendError } from '../../errors.js';

interface EmscriptenHeap {
  _malloc(bytes: number): number;
  _free(address: number): void;
  HEAPU8: Uint8Array;
}

const guarded = new WeakSet<object>();

/** 32-bit wasm: the heap can grow to 4 GiB and no further (TFJS-NOTES: allocation failed near 3.84 GB). */
const HEAP_LIMIT_BYTES = 4 * 1024 ** 3;
/**
 * Kept free for the backend's own C++ allocations (its tensor registry, XNNPACK's operators): when those fail the
 * module aborts and every later call fails. Seen: VAR-d16 with 4 images aborted in register_tensor 10 MB below 4 GiB.
 */
const RESERVE_BYTES = 64 * 1024 ** 2;

/**
 * tfjs-backend-wasm does not check `_malloc`: when the heap cannot grow it registers the tensor at address 0 and
 * overwrites memory, and the process fails later with "memory access out of bounds" somewhere unrelated; and when the
 * C++ side then cannot allocate, the module aborts. The guard refuses a tensor that fails, or that would end within
 * RESERVE_BYTES of the 4 GiB limit, with a BackendError saying what was asked and what the heap holds.
 */
export function guardWasmMalloc(): void {
  const module = (tf.findBackend('wasm') as unknown as { wasm?: EmscriptenHeap } | null)?.wasm;
  if (!module || guarded.has(module)) return;
  // emscripten's export stubs replace themselves with the raw export on their first call (Module._malloc =
  // asm.malloc), which would drop a wrapper installed before it: one call first makes the property final.
  module._free(module._malloc(8));
  const malloc = module._malloc.bind(module);
  module._malloc = (bytes: number) => {
    const address = malloc(bytes) >>> 0;
    const tooHigh = address + bytes > HEAP_LIMIT_BYTES - RESERVE_BYTES;
    if (address !== 0 && tooHigh) module._free(address);
    if ((address === 0 && bytes > 0) || tooHigh) {
      const gib = (n: number) => `${(n / 1024 ** 3).toFixed(2)} GiB`;
      throw new BackendError(
        'wasm',
        `out of memory: could not allocate ${gib(bytes)} (heap ${gib(module.HEAPU8.length)} of at most ${gib(HEAP_LIMIT_BYTES)}, ` +
          `live tensors ${gib(tf.memory().numBytes)}); use a smaller batch or model, or the native backend`,
      );
    }
    return address;
  };
  guarded.add(module);
}
