import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext, PluginCommand } from '@nextx/core';
import { plugin } from '../../src/index.js';
import { textDemo } from '../../src/demo.js';
import { useBackend } from '../helpers/backends.js';

const root = mkdtempSync(join(tmpdir(), 'nextx-text-cli-'));
const corpus = join(root, 'corpus');
const logs: string[] = [];
const context = (out: string, json = false): CliContext => ({ out, json, signal: new AbortController().signal, onProgress: () => undefined, log: (m) => void logs.push(m) });
const command = (verb: 'train' | 'generate' | 'eval', name: string) => plugin.commands?.[verb]?.[name] as PluginCommand;
const defaults = (cmd: PluginCommand, given: Record<string, unknown>) => {
  const out: Record<string, unknown> = {};
  for (const o of cmd.options) {
    const key = (o.flags.split(' ')[0] as string).replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (o.defaultValue !== undefined) out[key] = o.defaultValue;
  }
  return { ...out, ...given };
};

describe('nextx train | generate | eval text/* on a folder of files', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    mkdirSync(corpus);
    for (let i = 0; i < 6; i++) writeFileSync(join(corpus, `doc-${i}.txt`), `Document ${i}. The people of the union are strong, and the state of the union is sound. `.repeat(6));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('trains each model a few steps (tiny preset, bytes), resumable checkpoints and a training curve', async () => {
    for (const name of ['text/ar', 'text/cobit', 'text/bitlm']) {
      const cmd = command('train', name);
      const result = (await cmd.run(defaults(cmd, { data: corpus, tokenizer: 'bytes', preset: 'tiny', steps: '4', batch: '2', seqLen: '16', checkpointEvery: '2', heldOut: '0.2', ...(name === 'text/bitlm' ? { block: '4' } : {}) }), context(root))) as { checkpoint: string; step: number };
      expect(result.step, name).toBe(4);
      expect(existsSync(join(result.checkpoint, 'model.safetensors')), name).toBe(true);
    }
    expect(existsSync(join(root, 'cobit', 'entropy.safetensors'))).toBe(true);
    expect(existsSync(join(root, 'ar-training.png'))).toBe(true);
  });

  it('generate text/cobit --length 128 --steps 64 --seed 0 streams the text every few steps, then the final text; --json gives ids and text', async () => {
    const cmd = command('generate', 'text/cobit');
    logs.length = 0;
    const out = join(root, 'gen');
    const result = (await cmd.run(defaults(cmd, { checkpoint: join(root, 'cobit'), length: '128', steps: '64', seed: '0' }), context(out))) as { ids: number[][]; texts: string[]; seed: number; nfe: number };
    expect(logs.filter((l) => l.startsWith('step ')).length).toBe(7);
    expect(logs.some((l) => l.startsWith('final:'))).toBe(true);
    expect(result.ids[0]).toHaveLength(128);
    expect(result.seed).toBe(0);
    expect(result.nfe).toBe(64);
    expect(JSON.parse(readFileSync(join(out, 'samples.json'), 'utf8')).ids).toEqual(result.ids);
    logs.length = 0;
    const again = (await cmd.run(defaults(cmd, { checkpoint: join(root, 'cobit'), length: '128', steps: '64', seed: '0' }), context(out, true))) as { ids: number[][] };
    expect(again.ids).toEqual(result.ids);
    expect(logs.filter((l) => l.startsWith('step ')).length).toBe(0);
    await expect(cmd.run(defaults(cmd, { checkpoint: join(root, 'cobit'), steps: '1' }), context(out))).rejects.toThrow(/--steps must be an integer ≥ 2/);
  });

  it('eval scores CoBit and BitLM samples and held-out text under the AR reference; AR also reports bits per byte', async () => {
    const cmd = command('eval', 'text/cobit');
    const row = (await cmd.run(defaults(cmd, { checkpoint: join(root, 'cobit'), reference: join(root, 'ar'), data: corpus, samples: '2', length: '8', steps: '4', batch: '2' }), context(root))) as { genPpl: number; realGenPpl: number; entropy: number; nfe: number };
    expect(row.genPpl).toBeGreaterThan(1);
    expect(row.realGenPpl).toBeGreaterThan(1);
    expect(row.nfe).toBe(4);
    const bitlmCmd = command('eval', 'text/bitlm');
    const bitlm = (await bitlmCmd.run(defaults(bitlmCmd, { checkpoint: join(root, 'bitlm'), reference: join(root, 'ar'), data: corpus, samples: '2', length: '8', steps: '3', batch: '2' }), context(root))) as { genPpl: number; nfe: number; realGenPpl: number };
    expect(bitlm.genPpl).toBeGreaterThan(1);
    // Two blocks of 4 tokens, 3 head levels each.
    expect(bitlm.nfe).toBe(2 * 3);
    expect(bitlm.realGenPpl).toBe(row.realGenPpl);
    const arCmd = command('eval', 'text/ar');
    const ar = (await arCmd.run(defaults(arCmd, { checkpoint: join(root, 'ar'), data: corpus, samples: '2', length: '8' }), context(root))) as { validation: { bitsPerByte: number } };
    // A byte-level model's bits per byte are its bits per token: a little trained, well under the 8 of a uniform guess.
    expect(ar.validation.bitsPerByte).toBeGreaterThan(0);
    expect(ar.validation.bitsPerByte).toBeLessThan(8.5);
  });

  it('the demo writes samples and a figure from a checkpoint', async () => {
    const result = await textDemo(context(join(root, 'demo')), join(root, 'cobit'));
    expect(result.files.map((f) => existsSync(f))).toEqual([true, true]);
    expect(readFileSync(result.files[0] as string, 'utf8')).toMatch(/## deterministic[\s\S]*## entropy-gated/);
  });
});
