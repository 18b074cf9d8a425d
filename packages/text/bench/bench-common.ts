import { cpus, loadavg } from 'node:os';
import { initBackend, tf } from '@nextx/core';

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Runs `f` `repeats` times after `warmup` calls; returns the median wall and CPU milliseconds. */
export async function time(f: () => Promise<void> | void, repeats = 3, warmup = 1): Promise<{ wallMs: number; cpuMs: number }> {
  for (let i = 0; i < warmup; i++) await f();
  const walls: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await f();
    walls.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wallMs: median(walls), cpuMs: median(cpu) };
}

export async function benchBackend(): Promise<Record<string, unknown>> {
  const backend = (process.env['NEXTX_BACKEND'] as 'wasm' | 'cpu' | undefined) ?? 'wasm';
  await initBackend({ prefer: backend });
  return { backend: tf.getBackend(), cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverage: loadavg().map((l) => Number(l.toFixed(2))), node: process.version };
}
