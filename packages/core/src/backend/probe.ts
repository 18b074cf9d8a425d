import { existsSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { BackendName } from './backend-name.js';

/** Why a backend is or is not usable here. */
export interface BackendCandidate {
  readonly name: BackendName;
  readonly available: boolean;
  /** Machine-readable cause when unavailable. */
  readonly reason?: 'package-not-installed' | 'libcudart-missing' | 'no-nvidia-gpu' | 'load-failed' | 'init-failed';
  readonly detail?: string;
}

const PACKAGES: Partial<Record<BackendName, string>> = {
  cuda: '@tensorflow/tfjs-node-gpu',
  native: '@tensorflow/tfjs-node',
};

/** Loads the optional package of a native backend; every failure becomes a reason, never an exception. */
export async function loadNativePackage(name: 'cuda' | 'native'): Promise<BackendCandidate> {
  const pkg = PACKAGES[name] as string;
  if (name === 'cuda' && !hasNvidiaGpu()) {
    const cudart = findLibrary('libcudart.so.11.0');
    const detail = `no NVIDIA GPU visible (no /proc/driver/nvidia, no nvidia-smi)${cudart ? '' : '; libcudart.so.11.0 not found either'}`;
    if (!(await isInstalled(pkg))) {
      return { name, available: false, reason: 'package-not-installed', detail: `${pkg} is not installed; ${detail}` };
    }
    return { name, available: false, reason: 'no-nvidia-gpu', detail };
  }
  try {
    await import(pkg);
    return { name, available: true, detail: `${pkg} loaded` };
  } catch (error) {
    return explainLoadFailure(name, pkg, error);
  }
}

function explainLoadFailure(name: BackendName, pkg: string, error: unknown): BackendCandidate {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  if (code === 'ERR_MODULE_NOT_FOUND' && message.includes(pkg)) {
    return {
      name,
      available: false,
      reason: 'package-not-installed',
      detail: `${pkg} is not installed (optional peer dependency; npm i ${pkg}@4.22.0 — its install downloads libtensorflow)`,
    };
  }
  if (/libcudart\.so/.test(message)) {
    return {
      name,
      available: false,
      reason: 'libcudart-missing',
      detail: `libcudart.so.11.0 is missing: ${pkg} 4.22 needs the CUDA 11.2 runtime and cuDNN 8.1 (${firstLine(message)})`,
    };
  }
  return { name, available: false, reason: 'load-failed', detail: firstLine(message) };
}

async function isInstalled(pkg: string): Promise<boolean> {
  try {
    await import.meta.resolve?.(pkg);
    return true;
  } catch {
    return false;
  }
}

export function hasNvidiaGpu(): boolean {
  if (existsSync('/proc/driver/nvidia/version')) return true;
  try {
    execFileSync('nvidia-smi', ['-L'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/** Looks for a shared library the way the dynamic loader would (LD_LIBRARY_PATH, ldconfig cache, usual dirs). */
export function findLibrary(file: string): string | undefined {
  const dirs = [
    ...(process.env['LD_LIBRARY_PATH'] ?? '').split(':').filter(Boolean),
    '/usr/local/cuda/lib64',
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
  ];
  for (const dir of dirs) {
    try {
      if (readdirSync(dir).includes(file)) return `${dir}/${file}`;
    } catch {
      // unreadable or absent directory: not where the library is
    }
  }
  try {
    const cache = execFileSync('ldconfig', ['-p'], { encoding: 'utf8', timeout: 5000 });
    const line = cache.split('\n').find((l) => l.includes(file));
    return line?.split('=>')[1]?.trim();
  } catch {
    return undefined;
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
