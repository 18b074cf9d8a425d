import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tf } from '@nextx/core';
import { disposeLoaded, loadTextCheckpoint } from '../src/checkpoint/text-checkpoint.js';
import { DEMO_CHECKPOINT } from '../src/demo.js';
import { generateText } from '../src/generate/text-generation.js';
import { useBackend } from './helpers/backends.js';

describe('the bundled demo checkpoint (assets/cobit-sotu)', () => {
  it('is under 5 MB, loads as text/cobit with its profile and BPE tokenizer, and samples text', async () => {
    await useBackend('wasm');
    const bytes = readdirSync(DEMO_CHECKPOINT).reduce((n, f) => n + statSync(join(DEMO_CHECKPOINT, f)).size, 0);
    expect(bytes).toBeLessThan(5 * 1024 * 1024);
    const loaded = loadTextCheckpoint(DEMO_CHECKPOINT, 'text/cobit');
    expect(loaded.kind).toBe('text/cobit');
    expect(loaded.tokenizer.vocabSize).toBe(4096);
    let texts: readonly string[] = [];
    // The first run at a length builds (and keeps) that length's positional features; the second must add nothing.
    for await (const chunk of generateText(loaded, { samples: 1, length: 8, every: 100, sampler: { steps: 4 } }, { seed: 1 })) void chunk;
    const before = tf.memory().numTensors;
    for await (const chunk of generateText(loaded, { samples: 1, length: 8, every: 100, sampler: { steps: 4 } }, { seed: 1 })) texts = chunk.value.texts;
    expect(texts[0]?.length).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
    disposeLoaded(loaded);
  });
});
