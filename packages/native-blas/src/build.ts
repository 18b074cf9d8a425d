import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { binaryCandidates, PACKAGE_ROOT } from './load.js';

const require = createRequire(import.meta.url);

/**
 * node-gyp, without installing it: the one npm runs scripts with (npm_config_node_gyp), a local install, or the copy
 * bundled with the npm next to this node.
 */
export function findNodeGyp(): string | undefined {
  const fromNpm = process.env['npm_config_node_gyp'];
  if (fromNpm && existsSync(fromNpm)) return fromNpm;
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    // not installed locally: look for npm's own copy
  }
  const prefix = dirname(dirname(process.execPath));
  return [join(prefix, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'), join(prefix, 'node_modules/npm/node_modules/node-gyp/bin/node-gyp.js')].find(
    (file) => existsSync(file),
  );
}

/** Node's headers where node-gyp can use them without a download: npm's nodedir, else this node's own prefix. */
export function findNodeDir(): string | undefined {
  const configured = process.env['npm_config_nodedir'];
  if (configured && existsSync(join(configured, 'include/node/node_api.h'))) return configured;
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include/node/node_api.h')) ? prefix : undefined;
}

export interface BuildOptions {
  /** Link libopenblas.a into the addon (a binary that runs without OpenBLAS installed). */
  readonly static?: boolean;
}

/** `node-gyp rebuild` in the package directory, output streamed; returns node-gyp's exit status. */
export function buildNativeBlas(options: BuildOptions = {}): number {
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) {
    console.error('nextx-native-blas: node-gyp not found (it comes with npm; or npm i -g node-gyp)');
    return 1;
  }
  const nodeDir = findNodeDir();
  const args = [nodeGyp, 'rebuild', ...(nodeDir ? [`--nodedir=${nodeDir}`] : [])];
  const env = { ...process.env, ...(options.static ? { NEXTX_OPENBLAS_STATIC: '1' } : {}) };
  console.error(`nextx-native-blas: ${[process.execPath, ...args].join(' ')}${options.static ? ' (OpenBLAS linked statically)' : ''}`);
  const result = spawnSync(process.execPath, args, { cwd: PACKAGE_ROOT, stdio: 'inherit', env });
  return result.status ?? 1;
}

/**
 * A self-contained binary for this platform in prebuilds/<platform>-<arch>/ (what a published package can ship, so
 * that users need neither a compiler nor OpenBLAS): built with libopenblas.a linked in (all of its DYNAMIC_ARCH
 * kernels, about 26 MB), stripped. It needs the glibc it was built against or newer (Debian 12: 2.34 symbols).
 */
export function prebuildNativeBlas(): number {
  const status = buildNativeBlas({ static: true });
  if (status !== 0) return status;
  const [built, prebuilt] = binaryCandidates() as [string, string];
  mkdirSync(dirname(prebuilt), { recursive: true });
  copyFileSync(built, prebuilt);
  spawnSync('strip', ['--strip-unneeded', prebuilt], { stdio: 'inherit' });
  console.error(`nextx-native-blas: ${prebuilt}`);
  return 0;
}
