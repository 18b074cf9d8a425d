import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BlasLibrary, NativeBlas } from './addon.js';
import { selfCheck } from './self-check.js';

/** Why the addon cannot be used here. */
export type NativeBlasFailure = 'not-built' | 'openblas-missing' | 'load-failed' | 'self-check-failed';

export type NativeBlasLoad =
  | { readonly ok: true; readonly blas: NativeBlas; readonly binary: string; readonly library: BlasLibrary }
  | { readonly ok: false; readonly reason: NativeBlasFailure; readonly detail: string; readonly binary?: string };

/** The package's root directory (this file is dist/load.js or src/load.ts). */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const BUILD_COMMAND = 'npx nextx-native-blas build';

/** Where a binary may be: built here by node-gyp, or shipped prebuilt for this platform. */
export function binaryCandidates(root = PACKAGE_ROOT): string[] {
  return [
    `${root}build/Release/nextx_native_blas.node`,
    `${root}prebuilds/${platform()}-${arch()}/nextx_native_blas.node`,
  ];
}

/** Turns a failed dlopen of the binary into a reason: a missing libopenblas is the common one. */
export function classifyLoadError(error: unknown, binary: string): NativeBlasLoad & { ok: false } {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  if (/libopenblas[^:]*: cannot open shared object file|Library not loaded: .*openblas/i.test(message)) {
    return {
      ok: false,
      reason: 'openblas-missing',
      binary,
      detail: `the addon is built but OpenBLAS cannot be loaded (${message}); install it (Debian/Ubuntu: apt-get install libopenblas0-pthread) or rebuild with ${BUILD_COMMAND} --static`,
    };
  }
  return { ok: false, reason: 'load-failed', binary, detail: `${binary} did not load: ${message}` };
}

export interface LoadOptions {
  /** Binary to load instead of the package's own; default: NEXTX_BLAS_BINARY, else binaryCandidates(). */
  readonly binary?: string;
  /** Loads a binary (default: require); tests pass one that fails or returns a fake addon. */
  readonly loader?: (binary: string) => unknown;
}

const require = createRequire(import.meta.url);

/**
 * The OpenBLAS kernel set a CPU's flags support, for OPENBLAS_CORETYPE. A DYNAMIC_ARCH OpenBLAS picks its kernels
 * by CPU model and falls back to Prescott's SSE3 kernels for a model newer than itself: Debian 12's 0.3.21 does so on
 * Xeons of family 6 model 207, where its SkylakeX (AVX-512) kernels run several times faster. Naming the set from the
 * flags gives what autodetection gives on the CPUs it knows (AVX-512 → SkylakeX, AVX2 → Haswell, which Zen uses too).
 */
export function coreTypeForFlags(flags: ReadonlySet<string>): string | undefined {
  if (['avx512f', 'avx512bw', 'avx512dq', 'avx512vl', 'avx512cd'].every((flag) => flags.has(flag))) return 'SkylakeX';
  if (flags.has('avx2') && flags.has('fma')) return 'Haswell';
  return undefined;
}

function cpuFlags(): Set<string> {
  if (platform() !== 'linux' || arch() !== 'x64') return new Set();
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    return new Set((line?.split(':')[1] ?? '').trim().split(/\s+/));
  } catch {
    return new Set();
  }
}

/**
 * Requires the binary with the environment its libraries read once, when they load with the addon, restored right
 * after (no child process inherits it): OPENBLAS_CORETYPE chosen from the CPU flags, and GOMP_SPINCOUNT=20000 for
 * oneDNN's OpenMP runtime, whose idle workers otherwise spin for about 0.3 M iterations after every convolution on the
 * cores OpenBLAS's threads want next (a 3×3 convolution's forward + backward on 2 threads ran at 40–49 GFLOP/s
 * against 60–70 on 1; with the short spin 60–87), where sleeping at once (OMP_WAIT_POLICY=PASSIVE) halved the
 * 2-thread forward of small convolutions instead. A value the user set is left alone.
 */
function requireWithLoadEnvironment(binary: string, loader: (binary: string) => unknown): unknown {
  const coreType = process.env['OPENBLAS_CORETYPE'] === undefined ? coreTypeForFlags(cpuFlags()) : undefined;
  const set: Record<string, string | undefined> = { OPENBLAS_CORETYPE: coreType, GOMP_SPINCOUNT: '20000' };
  const added = Object.entries(set).filter((entry): entry is [string, string] => entry[1] !== undefined && process.env[entry[0]] === undefined);
  for (const [name, value] of added) process.env[name] = value;
  try {
    return loader(binary);
  } finally {
    for (const [name] of added) delete process.env[name];
  }
}

/**
 * Loads the addon and checks it against plain-loop references (selfCheck). Never throws: every failure becomes a
 * reason (not built, OpenBLAS missing, load failed, self-check failed) with a detail that says what to do.
 */
export function loadNativeBlas(options: LoadOptions = {}): NativeBlasLoad {
  const binary = options.binary ?? (process.env['NEXTX_BLAS_BINARY'] || binaryCandidates().find((file) => existsSync(file)));
  if (!binary || !existsSync(binary)) {
    const looked = binary ?? (binaryCandidates()[0] as string);
    return {
      ok: false,
      reason: 'not-built',
      binary: looked,
      detail: `the addon is not built (no ${looked}); build it with ${BUILD_COMMAND} (needs a C++ compiler, Python 3 and OpenBLAS: apt-get install g++ make libopenblas-dev)`,
    };
  }
  let blas: NativeBlas;
  try {
    blas = requireWithLoadEnvironment(binary, options.loader ?? require) as NativeBlas;
  } catch (error) {
    return classifyLoadError(error, binary);
  }
  let failure: string | undefined;
  try {
    failure = selfCheck(blas);
  } catch (error) {
    failure = `threw ${error instanceof Error ? error.message : String(error)}`;
  }
  if (failure) return { ok: false, reason: 'self-check-failed', binary, detail: `self-check against plain loops failed: ${failure}` };
  return { ok: true, blas, binary, library: blas.library() };
}
