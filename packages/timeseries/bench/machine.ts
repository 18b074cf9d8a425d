import { cpus, loadavg } from 'node:os';
import { tf } from '@nextx/core';

/** What every bench JSON says about where it ran (the project machine is shared: load average included). */
export function machine(): Record<string, unknown> {
  return { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg(), node: process.version, backend: tf.getBackend(), shared: true };
}

/** Median of `repeats` timed runs after one warm-up, in milliseconds (wall and process CPU). */
export async function timeIt(run: () => unknown, repeats = 3): Promise<{ ms: number; cpuMs: number }> {
  await run();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await run();
    wall.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  const median = (v: number[]) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)] as number;
  return { ms: median(wall), cpuMs: median(cpu) };
}
