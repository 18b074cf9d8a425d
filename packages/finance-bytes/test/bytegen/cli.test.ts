import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, initBackend, type CliContext } from '@nextx/core';
import { plugin, readAllEvents } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'fb-cli-'));
const context = (out: string): CliContext => ({ out, json: true, signal: new AbortController().signal, onProgress: () => undefined, log: () => undefined });
const command = (verb: 'train' | 'generate' | 'eval') => plugin.commands?.[verb]?.['finance-bytes/bytegen'];
/** The options commander would hand the command: defaults, then the given flags (camelCased). */
function options(verb: 'train' | 'generate' | 'eval', given: Record<string, unknown>): Record<string, unknown> {
  const defaults = Object.fromEntries(
    (command(verb)?.options ?? []).filter((o) => o.defaultValue !== undefined).map((o) => [o.flags.split(' ')[0]!.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), o.defaultValue]),
  );
  return { ...defaults, ...given };
}

describe('nextx train | generate | eval finance-bytes/bytegen', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains on the synthetic market, generates .bin + LOBSTER files + report, evaluates', async () => {
    const trainOut = join(dir, 'train');
    const summary = (await command('train')?.run(options('train', { steps: '2', batch: '2', window: '64', synthetic: '3000' }), context(trainOut))) as { steps: number; model: string; validation: { bitsPerByte: number } };
    expect(summary.steps).toBe(2);
    expect(summary.validation.bitsPerByte).toBeGreaterThan(0);
    expect(existsSync(join(trainOut, 'checkpoint', 'optimizer.safetensors'))).toBe(true);
    const genOut = join(dir, 'gen');
    const result = (await command('generate')?.run(options('generate', { checkpoint: summary.model, events: '6', streams: '2', synthetic: '3000', seed: '3' }), context(genOut))) as { counts: { records: number; consistentRate: number }; files: string[] };
    expect(result.counts.records).toBe(6);
    expect(result.counts.consistentRate).toBe(1);
    const bin = await readAllEvents(join(genOut, 'stream-0.bin'));
    expect(bin).toHaveLength(3);
    // An untrained model draws any inter-arrival time, so the message times are only counted, not re-imported.
    expect(readFileSync(join(genOut, 'stream-0_message_10.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(readFileSync(join(genOut, 'stream-0_orderbook_10.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(JSON.parse(readFileSync(join(genOut, 'report.json'), 'utf8')).stylized.distances.orderSizes).toBeDefined();
    const evaluation = (await command('eval')?.run(options('eval', { checkpoint: summary.model, synthetic: '1000', windows: '2' }), context(join(dir, 'eval')))) as { bitsPerByte: number };
    expect(evaluation.bitsPerByte).toBeCloseTo(summary.validation.bitsPerByte, 0);
  });

  it('refuses bad flags with a clear InputError', async () => {
    await expect(command('generate')?.run(options('generate', {}), context(dir))).rejects.toThrow('needs --checkpoint <dir>');
    await expect(command('train')?.run(options('train', { backbone: 'lstm' }), context(dir))).rejects.toThrow("--backbone must be hnet or transformer; got 'lstm'");
    await expect(command('train')?.run(options('train', { steps: '0' }), context(dir))).rejects.toBeInstanceOf(InputError);
    await expect(command('eval')?.run(options('eval', { checkpoint: join(dir, 'nothing') }), context(dir))).rejects.toThrow('checkpoint directory not found');
  });
});
