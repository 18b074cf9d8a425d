import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import * as fs from 'node:fs';

/** Simulated disk failure: the n-th writeSync (counting from when it is armed) throws. */
const failure = vi.hoisted(() => ({ writesLeft: Infinity }));
vi.mock('node:fs', async (importOriginal) => {
  const real = (await importOriginal()) as typeof fs;
  return {
    ...real,
    writeSync: (...args: unknown[]) => {
      if (failure.writesLeft-- <= 0) throw new Error('disk full');
      return (real.writeSync as (...a: unknown[]) => number)(...args);
    },
  };
});
import { tf } from '../../src/tf.js';
import { CheckpointError, ConfigError } from '../../src/errors.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/io/checkpoint-dir.js';
import { writeFileAtomic } from '../../src/io/atomic-file.js';
import { useBackend } from '../helpers/backends.js';

const schema = z.object({ width: z.number().int().positive() });
const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'nextx-ckpt-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  failure.writesLeft = Infinity;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('atomic checkpoints', () => {
  beforeAll(async () => useBackend('cpu'));

  it('saves and loads config, weights and extra files', () => {
    const dir = join(scratch(), 'ckpt');
    const w = tf.tensor1d([1, 2, 3]);
    const m = tf.tensor1d([0.5]);
    saveCheckpoint(dir, { config: { width: 3 }, tensors: { w }, tensorFiles: { optimizer: { m } }, jsonFiles: { state: { step: 7 } } });
    const loaded = loadCheckpoint(dir, { configSchema: schema, tensorFiles: ['optimizer'], jsonFiles: ['state'] });
    expect(loaded.config).toEqual({ width: 3 });
    expect(Array.from(loaded.tensors['w']!.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(loaded.tensorFiles['optimizer']!['m']!.dataSync())).toEqual([0.5]);
    expect(loaded.jsonFiles['state']).toEqual({ step: 7 });
    expect(readdirSync(join(dir, '..'))).toEqual(['ckpt']);
    tf.dispose([w, m, ...Object.values(loaded.tensors), ...Object.values(loaded.tensorFiles['optimizer']!)]);
  });

  it('a bad config.json is a ConfigError naming the file and field', () => {
    const dir = join(scratch(), 'ckpt');
    const w = tf.tensor1d([1]);
    saveCheckpoint(dir, { config: { width: -1 }, tensors: { w } });
    w.dispose();
    expect(() => loadCheckpoint(dir, { configSchema: schema })).toThrow(ConfigError);
    expect(() => loadCheckpoint(dir, { configSchema: schema })).toThrow(/config\.json[\s\S]*width/);
  });

  it('a crash while writing the new checkpoint leaves the previous one loadable and no debris', () => {
    const dir = join(scratch(), 'ckpt');
    const w1 = tf.tensor1d([1]);
    saveCheckpoint(dir, { config: { width: 1 }, tensors: { w: w1 } });
    const w2 = tf.tensor1d([2]);
    failure.writesLeft = 1; // config.json is written, model.safetensors fails
    expect(() => saveCheckpoint(dir, { config: { width: 2 }, tensors: { w: w2 } })).toThrow(/disk full/);
    failure.writesLeft = Infinity;
    const loaded = loadCheckpoint(dir, { configSchema: schema });
    expect(loaded.config.width).toBe(1);
    expect(Array.from(loaded.tensors['w']!.dataSync())).toEqual([1]);
    expect(readdirSync(join(dir, '..'))).toEqual(['ckpt']);
    tf.dispose([w1, w2, ...Object.values(loaded.tensors)]);
  });

  it('a crash between the two renames is recovered: the old checkpoint comes back', () => {
    const parent = scratch();
    const dir = join(parent, 'ckpt');
    const w = tf.tensor1d([5]);
    saveCheckpoint(dir, { config: { width: 5 }, tensors: { w } });
    w.dispose();
    // What an interrupted save leaves: the old directory renamed away, a half-written new one beside it.
    renameSync(dir, join(parent, `.ckpt.old-${process.pid}-0badc0de`));
    fs.mkdirSync(join(parent, `.ckpt.tmp-${process.pid}-deadbeef`));
    writeFileSync(join(parent, `.ckpt.tmp-${process.pid}-deadbeef`, 'config.json'), '{"wid');
    const loaded = loadCheckpoint(dir, { configSchema: schema });
    expect(loaded.config.width).toBe(5);
    expect(readdirSync(parent)).toEqual(['ckpt']);
    tf.dispose(Object.values(loaded.tensors));
  });

  it("recovery keeps a live saver's temporary directory and removes a dead one's", () => {
    const parent = scratch();
    const dir = join(parent, 'ckpt');
    const w = tf.tensor1d([3]);
    saveCheckpoint(dir, { config: { width: 3 }, tensors: { w } });
    w.dispose();
    const live = `.ckpt.tmp-${process.ppid}-00000001`; // the parent process is alive: a save in flight
    const dead = '.ckpt.tmp-99999999-00000002'; // above Linux's pid_max: no such process
    fs.mkdirSync(join(parent, live));
    fs.mkdirSync(join(parent, dead));
    const loaded = loadCheckpoint(dir, { configSchema: schema });
    expect(loaded.config.width).toBe(3);
    expect(readdirSync(parent).sort()).toEqual([live, 'ckpt'].sort());
    tf.dispose(Object.values(loaded.tensors));
  });

  it('a missing checkpoint is a CheckpointError naming the directory', () => {
    const dir = join(scratch(), 'none');
    expect(() => loadCheckpoint(dir)).toThrow(CheckpointError);
    expect(() => loadCheckpoint(dir)).toThrow(/none: checkpoint directory not found/);
  });

  it('writeFileAtomic replaces a file whole, and a failed write leaves the old content', () => {
    const file = join(scratch(), 'a.txt');
    writeFileAtomic(file, 'first');
    writeFileAtomic(file, 'second');
    expect(fs.readFileSync(file, 'utf8')).toBe('second');
    failure.writesLeft = 0;
    expect(() => writeFileAtomic(file, 'third')).toThrow(/disk full/);
    failure.writesLeft = Infinity;
    expect(fs.readFileSync(file, 'utf8')).toBe('second');
    expect(readdirSync(join(file, '..'))).toEqual(['a.txt']);
    expect(existsSync(file)).toBe(true);
  });
});
