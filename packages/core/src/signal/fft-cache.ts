import { tf } from '../tf.js';
import { createHostFftPlan, type HostFftPlan, type HostStrategy } from './host-fft.js';
import { RealFftPlan } from './host-real-fft.js';

/**
 * Twiddles, DFT blocks and Bluestein chirps, built once per (length, direction, backend) and kept until
 * `disposeFftCache()`. Host plans (float64 tables) are kept beside them.
 */
const tensors = new Map<string, tf.Tensor>();
const hostPlans = new Map<string, HostFftPlan>();
const realPlans = new Map<number, RealFftPlan>();

/** The tensor cached under `key` on the active backend, made (and kept out of every tidy) on first use. */
export function cachedFftTensor(key: string, make: () => tf.Tensor): tf.Tensor {
  const fullKey = `${tf.getBackend()}|${key}`;
  const cached = tensors.get(fullKey);
  if (cached && !cached.isDisposed) return cached;
  const made = tf.keep(make());
  tensors.set(fullKey, made);
  return made;
}

export function cachedHostPlan(n: number, strategy: HostStrategy = 'auto'): HostFftPlan {
  const key = `${n}|${strategy}`;
  let plan = hostPlans.get(key);
  if (!plan) {
    plan = createHostFftPlan(n, strategy);
    hostPlans.set(key, plan);
  }
  return plan;
}

export function cachedRealPlan(n: number): RealFftPlan {
  let plan = realPlans.get(n);
  if (!plan) {
    plan = new RealFftPlan(n);
    realPlans.set(n, plan);
  }
  return plan;
}

/** How many tensors and host plans the FFT cache holds. */
export function fftCacheSize(): { tensors: number; hostPlans: number } {
  return { tensors: tensors.size, hostPlans: hostPlans.size + realPlans.size };
}

/** Releases every cached twiddle, DFT block and chirp tensor (on every backend) and every host plan. */
export function disposeFftCache(): void {
  for (const t of tensors.values()) t.dispose();
  tensors.clear();
  hostPlans.clear();
  realPlans.clear();
}
