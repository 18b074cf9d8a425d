#!/usr/bin/env node
// Compiler and linker flags for OpenBLAS, printed for binding.gyp (`<!@(node native/blas-flags.mjs include|libs|defines)`).
// Order: OPENBLAS_INCLUDE_DIR / OPENBLAS_LIB_DIR if set, else pkg-config's `openblas`, else the usual places.
// NEXTX_OPENBLAS_STATIC=1 links libopenblas.a into the addon (a self-contained binary that needs no OpenBLAS at run
// time; Debian's libopenblas-dev ships the archive).
// oneDNN (Debian: libdnnl-dev), where its headers and shared library are found, runs the convolutions' forward pass
// (`defines` prints NEXTX_HAVE_DNNL); NEXTX_DNNL=0 builds without it, and so does a static build (Debian ships no
// libdnnl.a, and a prebuilt binary must not need it at run time).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const INCLUDE_DIRS = [
  '/usr/include/x86_64-linux-gnu/openblas-pthread',
  '/usr/include/aarch64-linux-gnu/openblas-pthread',
  '/usr/include/openblas',
  '/usr/local/include/openblas',
  '/usr/local/opt/openblas/include',
  '/opt/homebrew/opt/openblas/include',
  '/usr/include',
  '/usr/local/include',
];
const LIB_DIRS = [
  '/usr/lib/x86_64-linux-gnu/openblas-pthread',
  '/usr/lib/aarch64-linux-gnu/openblas-pthread',
  '/usr/lib64',
  '/usr/local/lib',
  '/usr/local/opt/openblas/lib',
  '/opt/homebrew/opt/openblas/lib',
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib',
];

function pkgConfig(flag) {
  try {
    return execFileSync('pkg-config', [flag, 'openblas'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function includeDir() {
  if (process.env.OPENBLAS_INCLUDE_DIR) return process.env.OPENBLAS_INCLUDE_DIR;
  const fromPkg = pkgConfig('--cflags-only-I');
  if (fromPkg !== undefined) {
    const dir = fromPkg.split(/\s+/).find((f) => f.startsWith('-I'));
    if (dir && existsSync(join(dir.slice(2), 'cblas.h'))) return dir.slice(2);
  }
  return INCLUDE_DIRS.find((dir) => existsSync(join(dir, 'cblas.h')));
}

function libDir(file) {
  if (process.env.OPENBLAS_LIB_DIR) return process.env.OPENBLAS_LIB_DIR;
  const fromPkg = pkgConfig('--libs-only-L');
  const dirs = fromPkg ? fromPkg.split(/\s+/).filter((f) => f.startsWith('-L')).map((f) => f.slice(2)) : [];
  return [...dirs, ...LIB_DIRS].find((dir) => existsSync(join(dir, file)));
}

function libs() {
  if (process.env.NEXTX_OPENBLAS_STATIC === '1') {
    const dir = libDir('libopenblas.a');
    if (!dir) throw new Error('NEXTX_OPENBLAS_STATIC=1 but no libopenblas.a was found (set OPENBLAS_LIB_DIR)');
    return [join(dir, 'libopenblas.a'), '-lpthread', '-lm'];
  }
  const dir = libDir('libopenblas.so') ?? libDir('libopenblas.dylib');
  if (!dir) return ['-lopenblas'];
  return [`-L${dir}`, '-lopenblas', ...(process.env.OPENBLAS_LIB_DIR ? [`-Wl,-rpath,${dir}`] : [])];
}

/** Whether the build links oneDNN: its C++ header and shared library are present, and neither NEXTX_DNNL=0 nor a static build. */
function withDnnl() {
  if (process.env.NEXTX_DNNL === '0' || process.env.NEXTX_OPENBLAS_STATIC === '1') return false;
  const header = ['/usr/include', '/usr/local/include'].some((dir) => existsSync(join(dir, 'oneapi/dnnl/dnnl.hpp')));
  return header && LIB_DIRS.some((dir) => existsSync(join(dir, 'libdnnl.so')));
}

const what = process.argv[2];
if (what === 'include') {
  const dir = includeDir();
  if (!dir) {
    console.error('native-blas: cblas.h not found; install OpenBLAS (Debian/Ubuntu: apt-get install libopenblas-dev) or set OPENBLAS_INCLUDE_DIR');
    process.exit(1);
  }
  console.log(dir);
} else if (what === 'libs') {
  console.log([...libs(), ...(withDnnl() ? ['-ldnnl', '-lgomp'] : [])].join(' '));
} else if (what === 'defines') {
  console.log(withDnnl() ? 'NEXTX_HAVE_DNNL' : '');
} else {
  console.error('usage: blas-flags.mjs include|libs|defines');
  process.exit(2);
}
