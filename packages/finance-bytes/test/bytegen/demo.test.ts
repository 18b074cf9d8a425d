import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, tf } from '@nextx/core';
import { plugin } from '../../src/index.js';

describe('nextx demo (finance-bytes)', () => {
  it('generates from the shipped checkpoint: every event consistent, files written, tensors freed', async () => {
    await initBackend({ prefer: 'wasm' });
    const out = mkdtempSync(join(tmpdir(), 'fb-demo-'));
    try {
      const baseline = tf.memory().numTensors;
      const result = await plugin.demo?.({ out, json: true, signal: new AbortController().signal, onProgress: () => undefined, log: () => undefined });
      expect(result?.summary).toMatch(/128 events byte by byte .* 100 % replay-consistent/);
      for (const file of result?.files ?? []) expect(existsSync(file)).toBe(true);
      const summary = JSON.parse(readFileSync(join(out, 'generated-summary.json'), 'utf8'));
      expect(summary.counts.consistent).toBe(128);
      expect(summary.figures.files.overview).toBe(join(out, 'stylized-facts.png'));
      expect(readFileSync(join(out, 'generated_message.csv'), 'utf8').trim().split('\n')).toHaveLength(32);
      expect(tf.memory().numTensors).toBe(baseline);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
