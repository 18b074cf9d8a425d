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
  exports?: Record<string, unknown>;
}

/**
 * Finds installed `@nextx/*` packages (other than core): in every `node_modules/@nextx` from `cwd` upwards, and beside
 * this copy of core (its own node_modules scope, or the workspace's packages folder). Each package's `plugin` export is
 * registered; a package that fails to load is reported, not fatal.
 */
export async function discoverPlugins(cwd = process.cwd(), registry = new Registry()): Promise<DiscoveredPlugins> {
  const failures: PluginLoadFailure[] = [];
  for (const [packageName, dir] of findNextxPackages(cwd)) {
    try {
      const plugin = await importPlugin(dir);
      registry.use(plugin);
    } catch (error) {
      failures.push({ packageName, path: dir, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return { registry, failures };
}

/** @nextx packages that are not plugins: core itself and its optional native addon. */
const NOT_PLUGINS = new Set(['@nextx/core', '@nextx/native-blas']);

function findNextxPackages(cwd: string): Map<string, string> {
  const found = new Map<string, string>();
  const scopes: string[] = [];
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    scopes.push(join(dir, 'node_modules', '@nextx'));
    if (dir === parse(dir).root) break;
  }
  const coreRoot = realpathSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
  scopes.push(dirname(coreRoot));
  for (const scope of scopes) {
    if (!existsSync(scope)) continue;
    for (const entry of readdirSync(scope)) {
      const dir = join(scope, entry);
      const pkg = readPackageJson(dir);
      if (!pkg?.name?.startsWith('@nextx/') || NOT_PLUGINS.has(pkg.name) || found.has(pkg.name)) continue;
      found.set(pkg.name, dir);
    }
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

function entryPoint(dir: string, pkg: PackageJson): string {
  const root = pkg.exports?.['.'];
  const fromExports = typeof root === 'string' ? root : (root as { import?: string } | undefined)?.import;
  const entry = fromExports ?? pkg.main;
  if (!entry) throw new Error('its package.json names no entry point');
  const file = join(dir, entry);
  if (!existsSync(file)) throw new Error(`its entry point ${file} does not exist (is the package built?)`);
  return file;
}

async function importPlugin(dir: string): Promise<Plugin> {
  const pkg = readPackageJson(dir) ?? {};
  const module = (await import(pathToFileURL(entryPoint(dir, pkg)).href)) as { plugin?: Plugin; default?: Plugin };
  const plugin = module.plugin ?? module.default;
  if (!plugin || typeof plugin.register !== 'function') throw new Error('it exports no `plugin` object');
  return plugin;
}
