import type { NativeBlas, NativeBlasLoad } from '@nextx/native-blas';
import { InputError } from '../../errors.js';
import type { BlasStatus } from '../blas-status.js';
import { parseThreadCount } from './wasm-threads.js';

const PACKAGE = '@nextx/native-blas';

let loading: Promise<BlasStatus> | undefined;
let addon: NativeBlas | undefined;
let enabled = true;

/**
 * `NEXTX_BLAS`: unset = use the addon where it loads, `0` = never, `1` = require it (initBackend fails with the reason
 * when it does not load; what CI sets on the machines that build it).
 */
export function blasSetting(): 'auto' | 'off' | 'required' {
  const value = process.env['NEXTX_BLAS'];
  if (value === undefined || value === '') return 'auto';
  if (value === '0') return 'off';
  if (value === '1') return 'required';
  throw new InputError(`NEXTX_BLAS must be 0 (off) or 1 (required); got '${value}'`);
}

/** Loads @nextx/native-blas once per process and says whether the wasm backend's products run on it, and why not. */
export function loadBlas(): Promise<BlasStatus> {
  loading ??= load();
  return loading;
}

async function load(): Promise<BlasStatus> {
  if (blasSetting() === 'off') {
    return { active: false, reason: 'disabled', detail: 'NEXTX_BLAS=0: matMul and conv2d run on XNNPACK (wasm)' };
  }
  let module: { loadNativeBlas(): NativeBlasLoad };
  try {
    module = (await import(PACKAGE)) as typeof module;
  } catch (error) {
    return explainImportFailure(error, PACKAGE);
  }
  const result = withShortSpin(() => module.loadNativeBlas());
  if (!result.ok) return { active: false, reason: result.reason, detail: result.detail };
  addon = result.blas;
  addon.setThreads(1); // until assignThreads: OpenBLAS starts with one thread per core
  return {
    active: true,
    detail: `${result.library.config}; ${result.library.corename} kernels; convolutions: ${result.library.convolution ?? 'im2col + OpenBLAS sgemm'} (${result.binary})`,
    library: result.library.config,
    kernels: result.library.corename,
    ...(result.library.convolution ? { convolution: result.library.convolution } : {}),
  };
}

/** A failed import of the package: not installed (an optional dependency may be omitted), or broken. */
export function explainImportFailure(error: unknown, pkg: string): BlasStatus {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_MODULE_NOT_FOUND' && String(error).includes(pkg)) {
    return {
      active: false,
      reason: 'not-installed',
      detail: `${pkg} is not installed (an optional dependency of @nextx/core: npm i ${pkg}, then npx nextx-native-blas build)`,
    };
  }
  return { active: false, reason: 'load-failed', detail: `${pkg} did not load: ${String(error).split('\n')[0]}` };
}

/** The addon when it is loaded and in use; the routed kernels take the XNNPACK path when this is undefined. */
export function activeBlas(): NativeBlas | undefined {
  return enabled ? addon : undefined;
}

/** Switches the addon off and on in a process where it loaded (benchmarks compare both paths in one run). */
export function setBlasEnabled(on: boolean): void {
  enabled = on;
}

/**
 * Public form of setBlasEnabled: routes wasm's matMul and conv2d to OpenBLAS (true; where @nextx/native-blas loaded)
 * or to XNNPACK (false) from now on, and says whether OpenBLAS is now in use. For comparing the two paths in one
 * process; `NEXTX_BLAS=0` is the way to turn the addon off for a whole run.
 */
export function useNativeBlas(on: boolean): boolean {
  setBlasEnabled(on);
  return activeBlas() !== undefined;
}

/**
 * XNNPACK's threads while OpenBLAS runs the products: NEXTX_XNNPACK_THREADS, else 1. With more than one, both pools
 * have workers; they never work at the same time (calls are sequential), and OpenBLAS's workers are made to sleep
 * at once after a product (OPENBLAS_THREAD_TIMEOUT, withShortSpin) instead of spinning for ~0.1 s on the cores
 * XNNPACK's element-wise kernels then want.
 */
function xnnpackThreadsWithBlas(): number {
  const value = process.env['NEXTX_XNNPACK_THREADS'];
  return value === undefined || value === '' ? 1 : parseThreadCount(value, 'NEXTX_XNNPACK_THREADS');
}

/** Runs `load` with OPENBLAS_THREAD_TIMEOUT=4 (2^4 cycles of spinning, OpenBLAS's minimum) when XNNPACK gets threads too. */
function withShortSpin<T>(load: () => T): T {
  if (xnnpackThreadsWithBlas() === 1 || process.env['OPENBLAS_THREAD_TIMEOUT'] !== undefined) return load();
  process.env['OPENBLAS_THREAD_TIMEOUT'] = '4';
  try {
    return load();
  } finally {
    delete process.env['OPENBLAS_THREAD_TIMEOUT'];
  }
}

/**
 * Splits the requested threads between the two libraries: where OpenBLAS runs the products it gets them all and
 * XNNPACK runs single-threaded (its build without workers; NEXTX_XNNPACK_THREADS overrides), so the two thread pools
 * never spin at the same time. Returns XNNPACK's thread count.
 */
export async function assignThreads(requested: number): Promise<number> {
  const status = await loadBlas();
  if (!status.active) {
    if (blasSetting() === 'required') {
      throw new InputError(`NEXTX_BLAS=1 requires ${PACKAGE}, which is not usable here (${status.reason}): ${status.detail}`);
    }
    return requested;
  }
  addon?.setThreads(requested);
  return xnnpackThreadsWithBlas();
}

/** The status with the thread count in use now. */
export async function blasStatus(): Promise<BlasStatus> {
  const status = await loadBlas();
  return status.active && addon ? { ...status, threads: addon.threads() } : status;
}
