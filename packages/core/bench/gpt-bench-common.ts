import { cpus, loadavg } from 'node:os';
import { BACKEND_NAMES, type BackendName } from '../src/backend/backend-name.js';
import type { ByteGptConfigInput } from '../src/demo/byte-gpt/config.js';

/** The benchmark decoder of issue #3: 4 layers, width 256, 4 heads, vocabulary 256. */
export const BENCH_MODEL: ByteGptConfigInput = { dim: 256, numLayers: 4, numHeads: 4, vocabSize: 256, contextLength: 512, seed: 0 };

/** `--backends wasm,cpu` (default both) and any `--name value` pairs. */
export function benchArgs(defaults: Record<string, string>): { backends: BackendName[]; args: Record<string, string> } {
  const args: Record<string, string> = { backends: 'wasm,cpu', ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i + 1 < argv.length; i += 2) args[(argv[i] as string).replace(/^--/, '')] = argv[i + 1] as string;
  const backends = (args['backends'] ?? '').split(',').filter((b): b is BackendName => (BACKEND_NAMES as readonly string[]).includes(b));
  return { backends, args };
}

export function machine(): { cores: number; cpu: string; node: string; loadAverage: number[] } {
  return { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage: loadavg() };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
