import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNativeBlas } from '@nextx/native-blas';
import { blasSetting, explainImportFailure } from '../../src/backend/wasm/native-blas.js';
import { describeBackend } from '../../src/backend/init-backend.js';

const dist = resolve(import.meta.dirname, '../../dist');

/** A fresh process (the addon is loaded and the wasm threads chosen once per process): status and a product. */
const SCRIPT = `
import { initBackend, tf } from ${JSON.stringify(`${dist}/index.js`)};
try {
  const status = await initBackend({ prefer: 'wasm' });
  const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  const b = tf.tensor2d([5, 6, 7, 8], [2, 2]);
  const product = Array.from(tf.matMul(a, b, false, true).dataSync());
  const conv = Array.from(tf.conv2d(tf.ones([1, 3, 3, 1]), tf.ones([2, 2, 1, 1]), 1, 'same').dataSync());
  console.log(JSON.stringify({ blas: status.blas, wasmThreads: status.wasmThreads, product, conv }));
} catch (error) {
  console.log(JSON.stringify({ error: String(error) }));
}
`;

/** The variables these tests set: removed from the inherited environment first (CI sets NEXTX_BLAS). */
const ENV_KEYS = ['NEXTX_BLAS', 'NEXTX_BLAS_BINARY', 'NEXTX_WASM_THREADS', 'NEXTX_XNNPACK_THREADS'];

interface Run {
  blas?: { active: boolean; reason?: string; detail: string; threads?: number };
  wasmThreads?: number;
  product?: number[];
  conv?: number[];
  error?: string;
}

function run(env: Record<string, string>): Run {
  if (!existsSync(`${dist}/index.js`)) throw new Error(`${dist}/index.js is missing: build core first (npm test builds every package)`);
  const clean = { ...process.env };
  for (const key of ENV_KEYS) delete clean[key];
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { encoding: 'utf8', timeout: 60_000, env: { ...clean, ...env } });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as Run;
}

function doctor(env: Record<string, string>): string {
  const clean = { ...process.env };
  for (const key of ENV_KEYS) delete clean[key];
  const result = spawnSync(process.execPath, [`${dist}/cli/main.js`, 'doctor', '--no-measure'], { encoding: 'utf8', timeout: 60_000, env: { ...clean, ...env } });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

// [[1,2],[3,4]]·[[5,6],[7,8]]ᵀ and a 2×2 box filter over ones with 'same' padding (right/bottom), by hand.
const PRODUCT = [17, 23, 39, 53];
const BOX = [4, 4, 2, 4, 4, 2, 2, 2, 1];

describe('@nextx/native-blas fallback and reasons', () => {
  it('NEXTX_BLAS=0 turns it off: XNNPACK runs the products and doctor says why', () => {
    const out = run({ NEXTX_BLAS: '0', NEXTX_WASM_THREADS: '2' });
    expect(out.blas).toMatchObject({ active: false, reason: 'disabled' });
    expect(out.wasmThreads).toBe(2); // the threads stay with XNNPACK
    expect(out.product).toEqual(PRODUCT);
    expect(out.conv).toEqual(BOX);
    expect(doctor({ NEXTX_BLAS: '0' })).toContain('native-blas: not used (disabled) — NEXTX_BLAS=0');
  }, 120_000);

  it('a missing binary is "not built": wasm still works, doctor gives the build command', () => {
    const out = run({ NEXTX_BLAS_BINARY: '/nonexistent/nextx_native_blas.node' });
    expect(out.blas).toMatchObject({ active: false, reason: 'not-built' });
    expect(out.product).toEqual(PRODUCT);
    expect(out.conv).toEqual(BOX);
    expect(doctor({ NEXTX_BLAS_BINARY: '/nonexistent/nextx_native_blas.node' })).toMatch(
      /native-blas: not used \(not-built\) — the addon is not built .*npx nextx-native-blas build/,
    );
  }, 120_000);

  it('NEXTX_BLAS=1 makes a missing addon an error that names the reason; other values are refused', () => {
    const required = run({ NEXTX_BLAS: '1', NEXTX_BLAS_BINARY: '/nonexistent/nextx_native_blas.node' });
    expect(required.error).toMatch(/NEXTX_BLAS=1 requires @nextx\/native-blas, which is not usable here \(not-built\)/);
    const saved = process.env['NEXTX_BLAS'];
    try {
      process.env['NEXTX_BLAS'] = 'yes';
      expect(() => blasSetting()).toThrow(/NEXTX_BLAS must be 0 \(off\) or 1 \(required\); got 'yes'/);
    } finally {
      if (saved === undefined) delete process.env['NEXTX_BLAS'];
      else process.env['NEXTX_BLAS'] = saved;
    }
  }, 120_000);

  it('the CLI banner names OpenBLAS and its threads, or XNNPACK\'s threads', () => {
    expect(describeBackend({ active: 'wasm', candidates: [], wasmThreads: 1, blas: { active: true, detail: '', threads: 2 } })).toBe('wasm + OpenBLAS (2 threads)');
    expect(describeBackend({ active: 'wasm', candidates: [], wasmThreads: 2, blas: { active: false, reason: 'disabled', detail: '' } })).toBe('wasm (2 threads)');
    expect(describeBackend({ active: 'cpu', candidates: [] })).toBe('cpu');
  });

  it('a package that is not installed is "not-installed"', async () => {
    const error = await import('@nextx/no-such-package' as string).catch((e: unknown) => e);
    expect(explainImportFailure(error, '@nextx/no-such-package')).toMatchObject({ active: false, reason: 'not-installed' });
  });

  const here = loadNativeBlas();
  it(here.ok ? 'where the addon loads, it runs the products with the threads asked for and XNNPACK runs on one' : `where it does not (here: ${here.reason}), status and doctor give that reason`, () => {
    const out = run({ NEXTX_WASM_THREADS: '2' });
    expect(out.product).toEqual(PRODUCT);
    expect(out.conv).toEqual(BOX);
    if (here.ok) {
      expect(out.blas).toMatchObject({ active: true, threads: 2 });
      expect(out.wasmThreads).toBe(1);
      expect(doctor({})).toContain('native-blas: active');
      // NEXTX_XNNPACK_THREADS gives XNNPACK threads beside OpenBLAS's (its threaded build starts; same results)
      const both = run({ NEXTX_WASM_THREADS: '2', NEXTX_XNNPACK_THREADS: '2' });
      expect(both).toMatchObject({ wasmThreads: 2, blas: { active: true, threads: 2 }, product: PRODUCT, conv: BOX });
    } else {
      expect(out.blas).toMatchObject({ active: false, reason: here.reason });
      expect(doctor({})).toContain(`native-blas: not used (${here.reason})`);
    }
  }, 120_000);
});
