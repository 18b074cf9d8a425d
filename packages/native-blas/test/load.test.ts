import { describe, expect, it } from 'vitest';
import { classifyLoadError, coreTypeForFlags, loadNativeBlas, type GemmArgs, type NativeBlas } from '../src/index.js';
import { referenceConv2d, referenceGemm, referenceGroupNorm, referenceLayerNorm, referenceFilterLogits, referenceL2Normalize } from '../src/reference.js';

const THIS_FILE = new URL(import.meta.url).pathname;

/**
 * An addon written in JS on top of the plain-loop references, reading and writing the heap by offset the way the
 * native one does; `corrupt` breaks one thing so that the self-check must notice.
 */
function jsAddon(corrupt?: 'ignore-transposeB' | 'throw' | 'no-silu' | 'no-gelu' | 'no-modulation'): NativeBlas {
  const floats = (heap: unknown) => new Float32Array((heap as Float32Array).buffer);
  return {
    gemm(heap, args: GemmArgs) {
      if (corrupt === 'throw') throw new RangeError('broken');
      const f = floats(heap);
      const a = f.subarray(args.a / 4);
      const b = f.subarray(args.b / 4);
      const c = referenceGemm({ ...args, transposeB: corrupt === 'ignore-transposeB' ? false : args.transposeB, gelu: corrupt === 'no-gelu' ? false : args.gelu === true }, a, b);
      f.set(c, args.c / 4);
    },
    conv2d(heap, args) {
      const f = floats(heap);
      const x = f.subarray(args.x / 4, args.x / 4 + args.batch * args.inHeight * args.inWidth * args.inChannels);
      const w = f.subarray(args.filter / 4, args.filter / 4 + args.filterHeight * args.filterWidth * args.inChannels * args.outChannels);
      const y = f.subarray(args.y / 4, args.y / 4 + args.batch * args.outHeight * args.outWidth * args.outChannels);
      const { y: out, dx, dw } = referenceConv2d(args, x, w, y);
      if (args.pass === 'forward') y.set(out);
      else if (args.pass === 'inputGradient') x.set(dx);
      else w.set(dw);
    },
    groupNorm(heap, args) {
      const f = floats(heap);
      const count = args.batch * args.positions * args.channels;
      const perChannel = (at: number | undefined) => (at === undefined ? undefined : f.slice(at / 4, at / 4 + args.channels));
      f.set(referenceGroupNorm({ ...args, silu: corrupt === 'no-silu' ? false : args.silu }, f.slice(args.x / 4, args.x / 4 + count), perChannel(args.weight), perChannel(args.bias)), args.y / 4);
    },
    layerNorm(heap, args) {
      const f = floats(heap);
      const vector = (at: number | undefined, length = args.dim) => (at === undefined ? undefined : f.slice(at / 4, at / 4 + length));
      const groups = args.rows / (args.rowsPerGroup ?? args.rows);
      const scale = vector(args.scale, groups * args.dim);
      const shift = vector(args.shift, groups * args.dim);
      const modulation = scale && shift && corrupt !== 'no-modulation' ? { scale, shift } : undefined;
      f.set(referenceLayerNorm(args, f.slice(args.x / 4, args.x / 4 + args.rows * args.dim), vector(args.weight), vector(args.bias), modulation), args.y / 4);
    },
    l2Normalize(heap, args) {
      const f = floats(heap);
      const count = args.rows * args.dim;
      const scale = args.scale === undefined ? undefined : f.slice(args.scale / 4, args.scale / 4 + (args.scales ?? 1));
      f.set(referenceL2Normalize(args, f.slice(args.x / 4, args.x / 4 + count), scale), args.y / 4);
    },
    filterLogits(heap, args) {
      const f = floats(heap);
      const count = args.rows * args.vocab;
      f.set(referenceFilterLogits(args, f.slice(args.values / 4, args.values / 4 + count)), args.values / 4);
    },
    setThreads() {},
    threads: () => 1,
    library: () => ({ config: 'js', corename: 'js', parallel: 'sequential' }),
  };
}

describe('loading @nextx/native-blas', () => {
  it('a missing binary is "not built" and the detail gives the build command', () => {
    const load = loadNativeBlas({ binary: '/nonexistent/nextx_native_blas.node' });
    expect(load).toMatchObject({ ok: false, reason: 'not-built' });
    expect(!load.ok && load.detail).toContain('npx nextx-native-blas build');
  });

  it('a binary whose libopenblas cannot be found is "openblas-missing"; other dlopen failures are "load-failed"', () => {
    const dlopen = new Error('libopenblas.so.0: cannot open shared object file: No such file or directory');
    expect(classifyLoadError(dlopen, '/x/nextx_native_blas.node')).toMatchObject({ reason: 'openblas-missing' });
    expect(classifyLoadError(dlopen, '/x/nextx_native_blas.node').detail).toContain('apt-get install libopenblas0-pthread');
    const other = new Error('/x/nextx_native_blas.node: invalid ELF header');
    expect(classifyLoadError(other, '/x/nextx_native_blas.node')).toMatchObject({ reason: 'load-failed' });
  });

  it('the self-check accepts a correct addon and names the case a wrong one fails', () => {
    expect(loadNativeBlas({ binary: THIS_FILE, loader: () => jsAddon() })).toMatchObject({ ok: true });
    const wrong = loadNativeBlas({ binary: THIS_FILE, loader: () => jsAddon('ignore-transposeB') });
    expect(wrong).toMatchObject({ ok: false, reason: 'self-check-failed' });
    expect(!wrong.ok && wrong.detail).toMatch(/gemm .*"transposeB":true/);
    const throwing = loadNativeBlas({ binary: THIS_FILE, loader: () => jsAddon('throw') });
    expect(throwing).toMatchObject({ ok: false, reason: 'self-check-failed' });
    expect(!throwing.ok && throwing.detail).toContain('threw broken');
    const noSilu = loadNativeBlas({ binary: THIS_FILE, loader: () => jsAddon('no-silu') });
    expect(!noSilu.ok && noSilu.detail).toMatch(/groupNorm .*"silu":true/);
    // A binary built before the GELU epilogue or the LayerNorm modulation ignores them: the self-check names the case.
    const noGelu = loadNativeBlas({ binary: THIS_FILE, loader: () => jsAddon('no-gelu') });
    expect(!noGelu.ok && noGelu.detail).toMatch(/gemm .*"gelu":true/);
    const noModulation = loadNativeBlas({ binary: THIS_FILE, loader: () => jsAddon('no-modulation') });
    expect(!noModulation.ok && noModulation.detail).toMatch(/layerNorm .*"rowsPerGroup":3/);
    const { groupNorm: _dropped, ...older } = jsAddon();
    const stale = loadNativeBlas({ binary: THIS_FILE, loader: () => older as NativeBlas });
    expect(!stale.ok && stale.detail).toMatch(/no groupNorm .*rebuild/);
  });

  it('loads with the environment its libraries read at load time, then restores it; a value the user set stays', () => {
    const seen: Array<Record<string, string | undefined>> = [];
    const loader = () => {
      seen.push({ spin: process.env['GOMP_SPINCOUNT'], core: process.env['OPENBLAS_CORETYPE'] });
      return jsAddon();
    };
    const before = process.env['GOMP_SPINCOUNT'];
    delete process.env['GOMP_SPINCOUNT'];
    try {
      expect(loadNativeBlas({ binary: THIS_FILE, loader })).toMatchObject({ ok: true });
      expect(seen[0]?.spin).toBe('20000');
      expect(process.env['GOMP_SPINCOUNT']).toBeUndefined();
      process.env['GOMP_SPINCOUNT'] = '7';
      loadNativeBlas({ binary: THIS_FILE, loader });
      expect(seen[1]?.spin).toBe('7');
      expect(process.env['GOMP_SPINCOUNT']).toBe('7');
    } finally {
      if (before === undefined) delete process.env['GOMP_SPINCOUNT'];
      else process.env['GOMP_SPINCOUNT'] = before;
    }
  });

  it('a loader that throws is classified, never rethrown', () => {
    const load = loadNativeBlas({
      binary: THIS_FILE,
      loader: () => {
        throw new Error('libopenblas.so.0: cannot open shared object file: No such file or directory');
      },
    });
    expect(load).toMatchObject({ ok: false, reason: 'openblas-missing' });
  });

  it('names the OpenBLAS kernel set from CPU flags', () => {
    const skylakeX = new Set(['fma', 'avx2', 'avx512f', 'avx512bw', 'avx512dq', 'avx512vl', 'avx512cd']);
    expect(coreTypeForFlags(skylakeX)).toBe('SkylakeX');
    expect(coreTypeForFlags(new Set(['fma', 'avx2', 'avx512f']))).toBe('Haswell');
    expect(coreTypeForFlags(new Set(['sse4_2', 'avx']))).toBeUndefined();
  });
});
