import { tf } from '../tf.js';
import { BackendError, InputError } from '../errors.js';
import { BACKEND_NAMES, BACKEND_PREFERENCES, type BackendName, type BackendPreference } from './backend-name.js';
import { loadNativePackage, type BackendCandidate } from './probe.js';
import { patchWasmBackend, type WasmPatchReport } from './wasm/patch-wasm.js';
import { initThreadedWasm, resolveWasmThreads, wasmThreadsInUse } from './wasm/wasm-threads.js';
import { assignThreads, blasStatus, loadBlas } from './wasm/native-blas.js';
import type { BlasStatus } from './blas-status.js';

export interface BackendStatus {
  readonly active: BackendName;
  /** Every backend tried or probed, in `auto` order, with the reason for the unavailable ones. */
  readonly candidates: readonly BackendCandidate[];
  /** What was added to the wasm backend, when it was set up. */
  readonly wasmPatches?: WasmPatchReport;
  /** XNNPACK threads of the wasm backend, when it is active. */
  readonly wasmThreads?: number;
  /** Whether the wasm backend's matMul and conv2d run on OpenBLAS (@nextx/native-blas), when wasm is active. */
  readonly blas?: BlasStatus;
}

export interface InitBackendOptions {
  readonly prefer?: BackendPreference;
  /**
   * Threads for the wasm backend (1 to 8; default 1, or `NEXTX_WASM_THREADS`, which wins). Fixed by the first wasm
   * initialisation in a process; later calls report the count in use. More threads speed up large products only.
   */
  readonly wasmThreads?: number;
}

/** tfjs's own backend name for each nextx backend. */
const TFJS_NAME: Record<BackendName, string> = { cuda: 'tensorflow', native: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

const probes = new Map<BackendName, Promise<BackendCandidate>>();

/** Probes one backend once per process: loads its package, registers it, never throws. */
export function probeBackend(name: BackendName): Promise<BackendCandidate> {
  let probe = probes.get(name);
  if (!probe) {
    probe = runProbe(name);
    probes.set(name, probe);
  }
  return probe;
}

async function runProbe(name: BackendName): Promise<BackendCandidate> {
  if (name === 'cuda' || name === 'native') return loadNativePackage(name);
  try {
    if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
    return { name, available: true };
  } catch (error) {
    return { name, available: false, reason: 'load-failed', detail: String(error) };
  }
}

/** Probes every backend without switching the active one (for `nextx doctor`). */
export async function listBackends(): Promise<BackendCandidate[]> {
  return Promise.all(BACKEND_NAMES.map((name) => probeBackend(name)));
}

/**
 * Selects the tensor backend. `auto` tries cuda, native, wasm, cpu in that order; an explicit choice that is not
 * available throws a BackendError with the reason. The wasm backend is completed and sped up on the way
 * (patchWasmBackend). Cheap when called again with the same choice.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendStatus> {
  const status = await selectBackend(options);
  selected = status;
  return status;
}

/** What the last successful initBackend selected. */
let selected: BackendStatus | undefined;
let automatic: Promise<BackendStatus> | undefined;

/**
 * What nextx's asynchronous entry points (loading weights, generating, training) await before their first tensor:
 * the backend `initBackend` selected, or, when it was never called, `initBackend({ prefer: NEXTX_BACKEND ?? 'auto' })`.
 * Code that forgets `initBackend` thus runs on what `auto` finds (cuda, native or patched wasm) instead of the
 * backend tfjs picks by itself on the first tensor, its plain-JS cpu backend (tens of times slower). To run on cpu,
 * say so: `initBackend({ prefer: 'cpu' })` or `NEXTX_BACKEND=cpu`.
 */
export async function ensureBackend(): Promise<BackendStatus> {
  if (selected) return selected;
  automatic ??= initBackend({ prefer: backendFromEnvironment() }).finally(() => {
    automatic = undefined;
  });
  return automatic;
}

function backendFromEnvironment(): BackendPreference {
  const value = process.env['NEXTX_BACKEND'];
  if (value === undefined || value === '') return 'auto';
  if (!(BACKEND_PREFERENCES as readonly string[]).includes(value)) {
    throw new InputError(`NEXTX_BACKEND must be one of ${BACKEND_PREFERENCES.join(', ')}; got '${value}'`);
  }
  return value as BackendPreference;
}

async function selectBackend(options: InitBackendOptions): Promise<BackendStatus> {
  const prefer = options.prefer ?? 'auto';
  const order = prefer === 'auto' ? BACKEND_NAMES : [prefer];
  const candidates: BackendCandidate[] = [];
  for (const name of order) {
    const candidate = await probeBackend(name);
    if (candidate.available && (await activate(name, options))) {
      candidates.push(candidate);
      return {
        active: name,
        candidates,
        ...(name === 'wasm' ? { wasmPatches: patchWasmBackend(), wasmThreads: await wasmThreadsInUse(), blas: await blasStatus() } : {}),
      };
    }
    candidates.push(candidate.available ? { ...candidate, available: false, reason: 'init-failed' } : candidate);
  }
  const why = candidates.map((c) => `${c.name}: ${c.detail ?? c.reason}`).join('; ');
  throw new BackendError(prefer, `not available (${why})`);
}

async function activate(name: BackendName, options: InitBackendOptions): Promise<boolean> {
  const tfjsName = TFJS_NAME[name];
  if (name === 'wasm') await loadBlas();
  if (tf.getBackend() === tfjsName && (name !== 'wasm' || tf.findBackend('wasm'))) {
    if (name === 'wasm') patchWasmBackend();
    return true;
  }
  const select = async () => {
    const ok = await tf.setBackend(tfjsName);
    if (ok) await tf.ready();
    return ok;
  };
  try {
    // The wasm module is instantiated once per process, on its first selection: that is when its threads are chosen.
    // With OpenBLAS running the products, the threads go to it and XNNPACK runs single-threaded (assignThreads).
    const threads = name === 'wasm' && !isInitialised('wasm') ? await assignThreads(resolveWasmThreads(options.wasmThreads)) : 1;
    const ok = threads > 1 ? await initThreadedWasm(threads, select) : await select();
    if (ok && name === 'wasm') patchWasmBackend();
    return ok;
  } catch (error) {
    if (error instanceof InputError) throw error;
    return false;
  }
}

/** Whether tfjs has instantiated a backend (tf.findBackend would start the initialisation itself). */
function isInitialised(tfjsName: string): boolean {
  return (tf.engine() as unknown as { registry: Record<string, unknown> }).registry[tfjsName] !== undefined;
}

/** The nextx name of the active tfjs backend. */
export function activeBackend(): BackendName | undefined {
  const current = tf.getBackend();
  if (current === 'wasm' || current === 'cpu') return current;
  if (current === 'tensorflow') return probes.has('cuda') ? 'cuda' : 'native';
  return undefined;
}

/** The active backend in a few words, for banners: "wasm + OpenBLAS (2 threads)", "wasm (2 threads)", "cpu". */
export function describeBackend(status: BackendStatus): string {
  if (status.blas?.active) return `${status.active} + OpenBLAS (${status.blas.threads ?? 1} thread${(status.blas.threads ?? 1) > 1 ? 's' : ''})`;
  return `${status.active}${status.wasmThreads && status.wasmThreads > 1 ? ` (${status.wasmThreads} threads)` : ''}`;
}
