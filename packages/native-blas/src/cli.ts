#!/usr/bin/env node
/**
 * nextx-native-blas build [--static]   compile the addon (node-gyp; needs g++, make, Python 3 and OpenBLAS)
 * nextx-native-blas prebuild           a self-contained binary (OpenBLAS linked in) in prebuilds/<platform>-<arch>/
 * nextx-native-blas check [--json]     load it, run its self-check, print what it found
 */
import { buildNativeBlas, prebuildNativeBlas } from './build.js';
import { loadNativeBlas, type NativeBlasLoad } from './load.js';

function describe(load: NativeBlasLoad): string {
  if (!load.ok) return `native-blas: not usable (${load.reason}): ${load.detail}`;
  const { config, corename, parallel, convolution } = load.library;
  return `native-blas: ready — ${config}; kernels ${corename}, ${parallel}, ${load.blas.threads()} threads by default; convolutions: ${convolution ?? 'im2col + OpenBLAS sgemm'}; self-check passed (${load.binary})`;
}

const [command, ...flags] = process.argv.slice(2);
if (command === 'build' || command === 'prebuild') {
  const status = command === 'build' ? buildNativeBlas({ static: flags.includes('--static') }) : prebuildNativeBlas();
  if (status !== 0) {
    console.error(`nextx-native-blas: the build failed (exit ${status}); nextx keeps running on plain wasm`);
    process.exit(status);
  }
  const load = loadNativeBlas();
  console.log(describe(load));
  process.exit(load.ok ? 0 : 1);
} else if (command === 'check') {
  const load = loadNativeBlas();
  if (flags.includes('--json')) {
    const { blas: _blas, ...rest } = load.ok ? load : { ...load, blas: undefined };
    console.log(JSON.stringify(rest, null, 2));
  } else {
    console.log(describe(load));
  }
  process.exit(load.ok ? 0 : 1);
} else {
  console.error('usage: nextx-native-blas build [--static] | prebuild | check [--json]');
  process.exit(2);
}
