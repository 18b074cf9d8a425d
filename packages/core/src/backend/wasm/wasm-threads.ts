import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { tf } from '../../tf.js';
import { InputError } from '../../errors.js';
import { writeFileAtomic } from '../../io/atomic-file.js';

const require = createRequire(import.meta.url);

/** emscripten pre-creates 8 pthread workers in tfjs-backend-wasm 4.22; XNNPACK can use no more. */
export const MAX_WASM_THREADS = 8;

/**
 * XNNPACK threads for the wasm backend: `NEXTX_WASM_THREADS`, else the requested count, else 1. One thread is the
 * default because threads pay off only for large products: measured here (2 cores), 2 threads make a 1024³ matMul
 * 1.8× faster but the many small ops of a 0.45 M-parameter VAR 2.2× slower (BENCHMARKS.md). 1 selects the
 * single-threaded SIMD build, which starts no worker.
 */
export function resolveWasmThreads(requested?: number): number {
  const fromEnv = process.env['NEXTX_WASM_THREADS'];
  if (fromEnv !== undefined && fromEnv !== '') return parseThreadCount(fromEnv, 'NEXTX_WASM_THREADS');
  return requested === undefined ? 1 : parseThreadCount(requested, 'wasmThreads');
}

/** A thread count from 1 to MAX_WASM_THREADS, or an InputError naming `source` and the value given. */
export function parseThreadCount(value: string | number, source: string): number {
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw new InputError(`${source} must be an integer from 1 to ${MAX_WASM_THREADS}; got '${value}'`);
  }
  return threads;
}

interface ThreadedModule {
  PThread: { unusedWorkers: Array<{ unref(): void }>; runningWorkers: Array<{ unref(): void }> };
}

/**
 * tfjs-backend-wasm ships a threaded SIMD build whose emscripten glue supports Node's worker_threads, but tfjs 4.22
 * turns it off in Node (WASM_HAS_MULTITHREAD_SUPPORT is false when IS_NODE) and cannot start it there as shipped:
 *  - the pthread worker script is handed over as a blob: URL, which worker_threads cannot load, and the worker then
 *    loads the main script from another blob: URL. We write the worker script to a file whose main-script load reads
 *    the threaded factory from the package instead, and answer tfjs's one createObjectURL call for it with that path;
 *  - the thread count is min(setThreadsCount, logical cores / 2) (tfjs assumes two hyper-threads per core, and
 *    setThreadsCount alone is ignored above that: tensorflow/tfjs#8513), so `os.cpus()` reports 2·threads entries
 *    while the backend initialises;
 *  - the workers are referenced and would keep the process alive: they are unref'd once the backend is up.
 * Everything patched is restored when `init` settles. Returns what `init` returned.
 */
export async function initThreadedWasm(threads: number, init: () => Promise<boolean>): Promise<boolean> {
  const wasmPackage = (await import('@tensorflow/tfjs-backend-wasm')) as unknown as { setThreadsCount(n: number): void };
  const workerFile = writeWorkerScript();
  const restoreUrl = patchProperty(URL, 'createObjectURL', (original) => (blob: Blob) =>
    blob instanceof Blob && blob.type === 'application/javascript' ? workerFile : original(blob),
  );
  const restoreCpus = patchProperty(os, 'cpus', (original) => () => {
    const cores = original();
    return Array.from({ length: 2 * threads }, (_, i) => cores[i % cores.length] as os.CpuInfo);
  });
  try {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasmPackage.setThreadsCount(threads);
    const ok = await init();
    if (ok) unrefWorkers();
    return ok;
  } finally {
    restoreCpus();
    restoreUrl();
  }
}

/** XNNPACK's thread count in the active wasm backend (1 for the single-threaded build). */
export async function wasmThreadsInUse(): Promise<number> {
  const wasmPackage = (await import('@tensorflow/tfjs-backend-wasm')) as unknown as { getThreadsCount(): number };
  return wasmPackage.getThreadsCount();
}

function unrefWorkers(): void {
  const module = (tf.findBackend('wasm') as unknown as { wasm?: Partial<ThreadedModule> } | null)?.wasm;
  const pool = module?.PThread;
  if (!pool) return;
  for (const worker of [...pool.unusedWorkers, ...pool.runningWorkers]) worker.unref();
}

const BLOB_LOAD = 'var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)';

/** The pthread worker script, loading the threaded factory from its file; written once per content to the temp dir. */
function writeWorkerScript(): string {
  const factory = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
    wasmWorkerContents: string;
  };
  if (!wasmWorkerContents.includes(BLOB_LOAD)) {
    throw new Error('tfjs-backend-wasm: unexpected pthread worker script (not 4.22?); set NEXTX_WASM_THREADS=1');
  }
  // tfjs escapes the newlines inside the script's strings the same way before making its Blob.
  const script = wasmWorkerContents.replace(BLOB_LOAD, `importScripts(${JSON.stringify(factory)})`).replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(script).digest('hex').slice(0, 16);
  const file = join(os.tmpdir(), `nextx-tfjs-wasm-worker-${hash}.cjs`);
  if (!existsSync(file)) writeFileAtomic(file, script);
  return file;
}

function patchProperty<T extends object, K extends keyof T>(target: T, key: K, make: (original: T[K]) => T[K]): () => void {
  const original = target[key];
  const bound = (typeof original === 'function' ? original.bind(target) : original) as T[K];
  target[key] = make(bound);
  return () => {
    target[key] = original;
  };
}
