import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, parse, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plugin } from '../contracts/plugin.js';
import { Registry } from '../registry/registry.js';

export interface PluginLoadFailure {
  readonly packageName: string;
  readonly path: string;
  readonly reason: string;
}

export interface DiscoveredPlugins {
  readonly registry: Registry;
  readonly failures: readonly PluginLoadFailure[];
}

interface PackageJson {
  name?: string;
  main?: string;
  exports?: unknown;
  keywords?: unknown;
  nextx?: unknown;
}

/** The keyword a package lists in its package.json to declare itself a nextx plugin. */
export const PLUGIN_KEYWORD = 'nextx-plugin';

/** @nextx packages that are not plugins: core itself and its optional native addon. */
const NOT_PLUGINS = new Set(['@nextx/core', '@nextx/native-blas']);

/**
 * Whether a package.json declares a nextx plugin: a `"nextx"` field (an object, e.g. `{ "plugin": true }`), the
 * `nextx-plugin` keyword, or a name in the `@nextx` scope (core's own domain packages). Core itself and its native
 * addon are not plugins.
 */
export function declaresNextxPlugin(pkg: PackageJson): boolean {
  if (!pkg.name || NOT_PLUGINS.has(pkg.name)) return false;
  const field = typeof pkg.nextx === 'object' && pkg.nextx !== null && (pkg.nextx as { plugin?: unknown }).plugin !== false;
  const keyword = Array.isArray(pkg.keywords) && pkg.keywords.includes(PLUGIN_KEYWORD);
  return field || keyword || pkg.name.startsWith('@nextx/');
}

/**
 * Finds installed nextx plugins: every package that declares itself one (see `declaresNextxPlugin`) in every
 * `node_modules` from `cwd` upwards (scoped or not), and the workspace packages beside this copy of core. Each
 * package's `plugin` export (or default export) is registered; a package that fails to load is reported, not fatal.
 */
export async function discoverPlugins(cwd = process.cwd(), registry = new Registry()): Promise<DiscoveredPlugins> {
  const failures: PluginLoadFailure[] = [];
  for (const [packageName, dir] of findPluginPackages(cwd)) {
    try {
      const plugin = await importPlugin(dir);
      registry.use(plugin);
    } catch (error) {
      failures.push({ packageName, path: dir, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return { registry, failures };
}

/** Package folders to look at: `node_modules/<name>` and `node_modules/@scope/<name>` upwards, then core's siblings. */
function candidateFolders(cwd: string): string[] {
  const folders: string[] = [];
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    folders.push(...packageFoldersIn(join(dir, 'node_modules')));
    if (dir === parse(dir).root) break;
  }
  // The monorepo's packages/ folder (or the scope folder core is installed in).
  const coreRoot = realpathSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
  folders.push(...listDir(dirname(coreRoot)).map((name) => join(dirname(coreRoot), name)));
  return folders;
}

function packageFoldersIn(nodeModules: string): string[] {
  const folders: string[] = [];
  for (const name of listDir(nodeModules)) {
    if (name.startsWith('.')) continue;
    const path = join(nodeModules, name);
    if (name.startsWith('@')) folders.push(...listDir(path).map((inner) => join(path, inner)));
    else folders.push(path);
  }
  return folders;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function findPluginPackages(cwd: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of candidateFolders(cwd)) {
    const pkg = readPackageJson(dir);
    if (!pkg || !declaresNextxPlugin(pkg) || found.has(pkg.name as string)) continue;
    found.set(pkg.name as string, dir);
  }
  return found;
}

function readPackageJson(dir: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

/** The ESM entry of a package: `exports["."]` (a string, or its `import` / `default` condition), else `main`. */
function entryPoint(dir: string, pkg: PackageJson): string {
  const exports = pkg.exports;
  const root = typeof exports === 'string' ? exports : (exports as Record<string, unknown> | undefined)?.['.'];
  const conditions = root as { import?: unknown; default?: unknown } | undefined;
  const fromExports = typeof root === 'string' ? root : (conditions?.import ?? conditions?.default);
  const entry = typeof fromExports === 'string' ? fromExports : pkg.main;
  if (!entry) throw new Error('its package.json names no entry point (set "exports" or "main")');
  const file = join(dir, entry);
  if (!existsSync(file)) throw new Error(`its entry point ${file} does not exist (is the package built?)`);
  return file;
}

async function importPlugin(dir: string): Promise<Plugin> {
  const pkg = readPackageJson(dir) ?? {};
  const module = (await import(pathToFileURL(entryPoint(dir, pkg)).href)) as { plugin?: Plugin; default?: Plugin };
  const plugin = module.plugin ?? module.default;
  if (!plugin || typeof plugin.register !== 'function') throw new Error('it exports no `plugin` object (export const plugin: Plugin = …)');
  return plugin;
}
