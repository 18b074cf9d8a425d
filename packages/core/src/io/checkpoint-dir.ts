import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { z } from 'zod';
import { parseConfig } from '../config/parse-config.js';
import { CheckpointError } from '../errors.js';
import { fsyncDirectory, temporarySibling, writeFileAtomic } from './atomic-file.js';
import type { StateDict } from './host-tensor.js';
import { readSafetensors } from './safetensors-read.js';
import { encodeSafetensors } from './safetensors-write.js';

export interface CheckpointContents<Config = unknown> {
  readonly config: Config;
  /** Saved as model.safetensors. */
  readonly tensors: StateDict;
  /** Further tensor files, `<name>.safetensors` (optimizer state, EMA weights, ...). */
  readonly tensorFiles?: Readonly<Record<string, StateDict>>;
  /** Further JSON files, `<name>.json` (step, RNG state, data position, ...). */
  readonly jsonFiles?: Readonly<Record<string, unknown>>;
}

const siblingPattern = (dir: string, tag: string) => new RegExp(`^\\.${escape(basename(dir))}\\.${tag}-\\d+-[0-9a-f]+$`);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Writes a checkpoint directory atomically: everything goes into a temporary sibling directory, then the old
 * directory (if any) is renamed away, the new one renamed into place, and the old one removed. A crash at any point
 * leaves the old complete checkpoint or the new complete one; between the two renames the old one survives under a
 * sibling name that `recoverCheckpoint` (run by `loadCheckpoint`) puts back.
 */
export function saveCheckpoint<Config>(dir: string, contents: CheckpointContents<Config>, options: { floatDtype?: 'F32' | 'F16' | 'BF16' } = {}): void {
  const encode = (tensors: StateDict) => encodeSafetensors(tensors, { floatDtype: options.floatDtype ?? 'F32' });
  mkdirSync(dirname(dir), { recursive: true });
  recoverCheckpoint(dir);
  const staging = temporarySibling(dir, 'tmp');
  mkdirSync(staging);
  try {
    writeFileAtomic(join(staging, 'config.json'), `${JSON.stringify(contents.config, null, 2)}\n`);
    writeFileAtomic(join(staging, 'model.safetensors'), encode(contents.tensors));
    for (const [name, tensors] of Object.entries(contents.tensorFiles ?? {})) {
      writeFileAtomic(join(staging, `${name}.safetensors`), encode(tensors));
    }
    for (const [name, value] of Object.entries(contents.jsonFiles ?? {})) {
      writeFileAtomic(join(staging, `${name}.json`), `${JSON.stringify(value)}\n`);
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  const old = existsSync(dir) ? temporarySibling(dir, 'old') : undefined;
  if (old) renameSync(dir, old);
  renameSync(staging, dir);
  fsyncDirectory(dirname(dir));
  if (old) rmSync(old, { recursive: true, force: true });
}

/**
 * Whether a sibling `.ckpt.tmp-<pid>-<hex>` / `.ckpt.old-<pid>-<hex>` was left by a save that is no longer running: its
 * process is gone, or it is this process (saves are synchronous, so none of ours is in flight). A live pid means
 * another process is saving right now and its files are left alone. (On a file system shared between machines the pid
 * says nothing; concurrent saves to one directory from several machines are not supported.)
 */
function isStale(name: string): boolean {
  const pid = Number(/-(\d+)-[0-9a-f]+$/.exec(name)?.[1]);
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function siblingsOf(dir: string, tag: 'tmp' | 'old'): string[] {
  const parent = dirname(dir);
  return readdirSync(parent)
    .filter((n) => siblingPattern(dir, tag).test(n))
    .map((n) => join(parent, n));
}

/**
 * Repairs what an interrupted save can leave. The save sequence is: write everything into `.name.tmp-*`, rename the
 * current directory to `.name.old-*`, rename the tmp directory to `name`, remove the old one. So: if `name` is
 * missing but a stale `.old-*` exists, the crash came between the two renames and the old checkpoint is put back;
 * stale `.tmp-*` (unfinished) and `.old-*` (superseded) directories are removed. Siblings of a live saver are kept.
 */
export function recoverCheckpoint(dir: string): void {
  if (!existsSync(dirname(dir))) return;
  const olds = siblingsOf(dir, 'old').filter((p) => isStale(basename(p)));
  if (!existsSync(dir) && olds.length) {
    const newest = olds.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0] as string;
    renameSync(newest, dir);
  }
  for (const path of [...siblingsOf(dir, 'tmp'), ...siblingsOf(dir, 'old')]) {
    if (isStale(basename(path))) rmSync(path, { recursive: true, force: true });
  }
}

/** Another process may be between its two renames: give it a moment to put the new directory in place. */
function waitForLiveSwap(dir: string): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 40 && !existsSync(dir) && siblingsOf(dir, 'old').length; i++) Atomics.wait(pause, 0, 0, 50);
}

export interface LoadCheckpointOptions<Config> {
  readonly configSchema?: z.ZodType<Config>;
  readonly tensorFiles?: readonly string[];
  readonly jsonFiles?: readonly string[];
}

/** Reads a checkpoint directory written by `saveCheckpoint`; config.json is validated by the schema when given. */
export function loadCheckpoint<Config = unknown>(dir: string, options: LoadCheckpointOptions<Config> = {}): Required<CheckpointContents<Config>> {
  recoverCheckpoint(dir);
  if (!existsSync(dir) && existsSync(dirname(dir))) waitForLiveSwap(dir);
  if (!existsSync(dir)) throw new CheckpointError(dir, 'checkpoint directory not found');
  const configFile = join(dir, 'config.json');
  const config = parseJsonFile(configFile);
  const tensors = readSafetensors(join(dir, 'model.safetensors'));
  const tensorFiles: Record<string, StateDict> = {};
  const jsonFiles: Record<string, unknown> = {};
  for (const name of options.tensorFiles ?? []) tensorFiles[name] = readSafetensors(join(dir, `${name}.safetensors`));
  for (const name of options.jsonFiles ?? []) jsonFiles[name] = parseJsonFile(join(dir, `${name}.json`));
  return {
    config: options.configSchema ? parseConfig(options.configSchema, config, configFile) : (config as Config),
    tensors,
    tensorFiles,
    jsonFiles,
  };
}

function parseJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CheckpointError(file, `cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CheckpointError(file, `not valid JSON (${(error as Error).message})`);
  }
}
