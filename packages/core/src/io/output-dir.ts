import { accessSync, constants, mkdirSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOENT: 'the file system does not allow creating it (a virtual file system such as /proc?)',
  ENOTDIR: 'a part of the path is a file',
};

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return `${REASONS[code] ?? (error as Error).message}${code ? ` (${code})` : ''}`;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Makes sure `dir` is a directory this process can write into, creating it and its missing parents, and returns its
 * absolute path; throws an InputError naming the path and the reason otherwise. Meant to run before any work, so a
 * bad `--out` fails at once instead of after a long run. Directories are created one level at a time: Node's
 * recursive mkdir loops forever on some virtual file systems (`/proc/x`). A probe file is written and removed, since
 * permission bits alone do not tell (root ignores them; read-only and virtual file systems do not).
 */
export function ensureWritableDir(dir: string, what = 'output directory'): string {
  const target = resolve(dir);
  const fail = (detail: string) => new InputError(`${what} ${target}: ${detail}`);
  const missing: string[] = [];
  let existing = target;
  let stats = statOrUndefined(existing);
  while (!stats) {
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) throw fail('no part of the path exists');
    existing = parent;
    stats = statOrUndefined(existing);
  }
  if (!stats.isDirectory()) {
    throw fail(existing === target ? 'is a file, not a directory' : `${existing} is a file, not a directory`);
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw fail(`cannot write into ${existing}: ${reason(error)}`);
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && statOrUndefined(level)?.isDirectory()) continue;
      throw fail(`cannot create ${level}: ${reason(error)}`);
    }
  }
  const probe = join(target, `.nextx-write-probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
  } catch (error) {
    throw fail(`cannot write files into it: ${reason(error)}`);
  }
  rmSync(probe, { force: true });
  return target;
}
