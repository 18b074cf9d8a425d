import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveWasmThreads } from '../../src/backend/wasm/wasm-threads.js';

const dist = resolve(import.meta.dirname, '../../dist/index.js');

/** A fresh process (the wasm module is instantiated once per process): products, a conv and its gradient. */
const SCRIPT = `
import { createHash } from 'node:crypto';
import { initBackend, tf, Rng, normalInit } from ${JSON.stringify(dist)};
const status = await initBackend({ prefer: 'wasm' });
const rng = Rng.seeded(5);
const a = normalInit([96, 200, 64], rng, 1);
const b = normalInit([96, 64, 150], rng, 1);
const x = normalInit([4, 33, 33, 24], rng, 1);
const w = normalInit([3, 3, 24, 40], rng, 0.1);
const outputs = [
  tf.matMul(normalInit([300, 256], rng, 1), normalInit([256, 200], rng, 1)),
  tf.matMul(a, b, false, false),
  tf.matMul(a, tf.transpose(b, [0, 2, 1]), false, true),
  tf.conv2d(x, w, [2, 2], 'same'),
  tf.grad((f) => tf.sum(tf.square(tf.conv2d(x, f, 1, 'same'))))(w),
];
const digests = outputs.map((t) => {
  const v = t.dataSync();
  return createHash('sha256').update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).digest('hex');
});
console.log(JSON.stringify({ threads: status.wasmThreads, digests }));
`;

function run(threads: number) {
  // No process.exit in the script: the process must end by itself (the pthread workers are unref'd).
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
    encoding: 'utf8',
    timeout: 60_000,
    // XNNPACK's own threads: with @nextx/native-blas loaded the threads would go to OpenBLAS instead.
    env: { ...process.env, NEXTX_WASM_THREADS: String(threads), NEXTX_BLAS: '0' },
  });
  expect(result.status, `signal ${result.signal}, error ${String(result.error)}: ${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as { threads: number; digests: string[] };
}

describe('wasm threads', () => {
  it('resolves the count from NEXTX_WASM_THREADS, the request, or 1, and names a bad one', () => {
    const saved = process.env['NEXTX_WASM_THREADS'];
    try {
      delete process.env['NEXTX_WASM_THREADS'];
      expect(resolveWasmThreads()).toBe(1);
      expect(resolveWasmThreads(3)).toBe(3);
      expect(() => resolveWasmThreads(9)).toThrow(/wasmThreads must be an integer from 1 to 8; got '9'/);
      process.env['NEXTX_WASM_THREADS'] = '2';
      expect(resolveWasmThreads(4)).toBe(2);
      process.env['NEXTX_WASM_THREADS'] = 'many';
      expect(() => resolveWasmThreads()).toThrow(/NEXTX_WASM_THREADS must be an integer from 1 to 8; got 'many'/);
    } finally {
      if (saved === undefined) delete process.env['NEXTX_WASM_THREADS'];
      else process.env['NEXTX_WASM_THREADS'] = saved;
    }
  });

  it('2 threads start, give bit-identical products, convolutions and gradients, and let the process exit', () => {
    if (!existsSync(dist)) throw new Error(`${dist} is missing: build core first (npm test builds every package)`);
    const single = run(1);
    const threaded = run(2);
    expect(single.threads).toBe(1);
    expect(threaded.threads).toBe(2);
    expect(threaded.digests).toHaveLength(5);
    expect(threaded.digests).toEqual(single.digests); // SHA-256 of each output's float32 bytes
  }, 120_000);
});
