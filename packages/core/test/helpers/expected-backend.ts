import { hasNvidiaGpu } from '../../src/backend/probe.js';

export type NativeBackend = 'cuda' | 'native';

/** The optional package behind each native backend. */
const NATIVE_PACKAGES: Record<NativeBackend, string> = { cuda: '@tensorflow/tfjs-node-gpu', native: '@tensorflow/tfjs-node' };

async function loads(pkg: string): Promise<boolean> {
  try {
    await import(pkg);
    return true;
  } catch {
    return false;
  }
}

/**
 * What this machine offers, decided here by importing the packages (not through initBackend's probes): cuda when an
 * NVIDIA GPU is visible and tfjs-node-gpu loads, native when tfjs-node loads. `auto` must pick the first of cuda,
 * native that is usable, else wasm.
 */
export async function installedBackends(): Promise<{ usable: Record<NativeBackend, boolean>; auto: 'cuda' | 'native' | 'wasm' }> {
  const usable = { cuda: hasNvidiaGpu() && (await loads(NATIVE_PACKAGES.cuda)), native: await loads(NATIVE_PACKAGES.native) };
  return { usable, auto: usable.cuda ? 'cuda' : usable.native ? 'native' : 'wasm' };
}
