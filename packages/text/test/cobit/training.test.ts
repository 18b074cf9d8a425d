import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, readWeights, tf } from '@nextx/core';
import { loadTextCheckpoint, disposeLoaded } from '../../src/checkpoint/text-checkpoint.js';
import { parseCobitConfig } from '../../src/cobit/config.js';
import { trainCobit } from '../../src/cobit/train.js';
import { generateText } from '../../src/generate/text-generation.js';
import { cobitPresetCfg } from '../../src/presets.js';
import { ByteTokenizer } from '../../src/tokenizers/byte-tokenizer.js';
import { useBackend } from '../helpers/backends.js';

const tokenizer = new ByteTokenizer();
const stream = tokenizer.encodeText('It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife. '.repeat(8));
const config = parseCobitConfig({ cfg: { ...cobitPresetCfg('tiny', 8, 8, 6), train: { ...(cobitPresetCfg('tiny', 8, 8, 6)['train'] as object), entropy_update_every_steps: 2, entropy_min_per_bin: 1, entropy_warmup_steps: 2, entropy_transition_steps: 2 } }, vocabSize: 256 });
const root = mkdtempSync(join(tmpdir(), 'nextx-cobit-train-'));
const run = (dir: string, steps: number, extra: object = {}) =>
  trainCobit({ config, tokenizer, stream, batchSize: 4, checkpointDir: dir, trainer: { steps: 6, lr: 3e-3, checkpointEvery: 3, logEvery: 1 }, ...extra, ...(steps < 6 ? { minutes: undefined } : {}) });

describe('CoBit training, checkpoints and generation', () => {
  beforeAll(async () => useBackend('wasm'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('trains, writes config, weights, entropy profile and FIFO in one checkpoint, and frees every step’s tensors', async () => {
    const before = tf.memory().numTensors;
    const dir = join(root, 'straight');
    const { net, controller, result } = await run(dir, 6);
    expect(result.step).toBe(6);
    expect(controller.updates).toBeGreaterThan(0);
    for (const f of ['config.json', 'model.safetensors', 'entropy.safetensors', 'entropy_state.json', 'optimizer.safetensors', 'training_state.json']) expect(existsSync(join(dir, f)), f).toBe(true);
    // Parameters, buffers, the positional features and the rotary tables (cos, sin) the network keeps.
    expect(tf.memory().numTensors - before).toBe(net.parameters().length + net.namedBuffers().length + 1 + 2);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('resuming from the step-3 checkpoint ends with the weights of the uninterrupted run', async () => {
    const dir = join(root, 'resumed');
    const controller = new AbortController();
    await expect(
      run(dir, 6, {
        signal: controller.signal,
        onProgress: (e: { completed: number }) => {
          if (e.completed === 4) controller.abort();
        },
      }),
    ).rejects.toBeInstanceOf(AbortError);
    // Ctrl-C after step 4 left the step-3 checkpoint, loadable as it is.
    const loaded = loadTextCheckpoint(dir, 'text/cobit');
    expect(loaded.kind).toBe('text/cobit');
    disposeLoaded(loaded);
    const { net } = await run(dir, 6);
    net.dispose();
    const a = readWeights(join(root, 'straight', 'model.safetensors'));
    const b = readWeights(join(dir, 'model.safetensors'));
    for (const name of Object.keys(a)) expect(Math.max(...tf.abs(tf.sub(a[name] as tf.Tensor, b[name] as tf.Tensor)).dataSync()), name).toBe(0);
    tf.dispose([...Object.values(a), ...Object.values(b)]);
  });

  it('a checkpoint without its entropy profile is an error that says how to compute it', () => {
    const dir = join(root, 'straight');
    rmSync(join(dir, 'entropy.safetensors'), { force: true });
    expect(() => loadTextCheckpoint(dir, 'text/cobit')).toThrow(/no entropy profile.*nextx train text\/cobit --checkpoint .* --profile-only/s);
  });

  it('streams the decoded estimate every few steps, then the final sample; the same seed repeats; 100 generations leak nothing', async () => {
    const loaded = loadTextCheckpoint(join(root, 'resumed'), 'text/cobit');
    const chunks = [];
    for await (const chunk of generateText(loaded, { samples: 2, length: 12, every: 2, sampler: { steps: 9 } }, { seed: 4 })) chunks.push(chunk);
    expect(chunks.map((c) => c.value.step)).toEqual([2, 4, 6, 8]);
    expect(chunks.map((c) => c.final)).toEqual([false, false, false, true]);
    const last = chunks[3]?.value;
    expect(last?.ids.map((r) => r.length)).toEqual([12, 12]);
    expect(last?.texts[0]).toBe(tokenizer.decodeIds(last?.ids[0] as number[]));
    expect(last?.seed).toBe(4);
    const stochastic = async (seed: number) => {
      let ids: readonly (readonly number[])[] = [];
      for await (const chunk of generateText(loaded, { samples: 2, length: 12, every: 100, sampler: { steps: 9, stochastic: { gamma: 0.3 } } }, { seed })) ids = chunk.value.ids;
      return ids;
    };
    expect(await stochastic(11)).toEqual(await stochastic(11));
    expect(await stochastic(11)).not.toEqual(await stochastic(12));
    // One warm-up run at this length: the network keeps the positional features of each length it has seen.
    for await (const chunk of generateText(loaded, { samples: 1, length: 4, every: 1, sampler: { steps: 3 } }, { seed: 0 })) void chunk;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) for await (const chunk of generateText(loaded, { samples: 1, length: 4, every: 1, sampler: { steps: 3 } }, { seed: i })) void chunk;
    expect(tf.memory().numTensors).toBe(before);
    disposeLoaded(loaded);
  });
});
