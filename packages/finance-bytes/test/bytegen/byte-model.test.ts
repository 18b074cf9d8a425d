import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, tf } from '@nextx/core';
import { SyntheticMarket, createByteGen, encodeEvents, evaluateBytes, generateAll, loadByteGen, saveByteGen, trainByteGen, type ByteGenConfigInput, type LobEvent } from '../../src/index.js';

const TINY_HNET: ByteGenConfigInput = {
  backbone: 'hnet',
  windowBytes: 64,
  hnet: {
    arch_layout: ['m1', ['T1'], 'm1'],
    d_model: [32, 48],
    d_intermediate: [0, 64],
    ssm_cfg: { d_state: 8, head_dim: 16, chunk_size: 16 },
    attn_cfg: { num_heads: [2, 2] },
  },
  seed: 3,
};
const TINY_TRANSFORMER: ByteGenConfigInput = { backbone: 'transformer', windowBytes: 64, transformer: { dim: 32, numLayers: 1, numHeads: 2 }, seed: 3 };
const CONFIGS = [['hnet', TINY_HNET], ['transformer', TINY_TRANSFORMER]] as const;

const events: LobEvent[] = [];
for (const batch of new SyntheticMarket({ seed: 8 }).events(3000)) events.push(...batch);
const stream = encodeEvents(events);

describe.each(['wasm', 'cpu'] as const)('ByteGen byte models on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ prefer: backend });
  });

  it.each(CONFIGS)('%s: decoding with cached state gives the logits of the parallel forward, and frees its tensors', (_name, config) => {
    const baseline = tf.memory().numTensors;
    const { model } = createByteGen(config);
    const length = 48;
    const prefix = 20;
    const ids = new Int32Array(2 * length);
    for (let i = 0; i < ids.length; i++) ids[i] = stream[(i % length) + (i >= length ? 320 : 0)] as number;
    const parallel = tf.tidy(() => {
      const out = model.kind === 'hnet' ? (model.module as never as { forwardMasked(t: tf.Tensor): { logits: tf.Tensor; p: tf.Tensor } }).forwardMasked(tf.tensor2d(ids, [2, length], 'int32')) : { logits: (model.module as never as { forward(t: tf.Tensor): tf.Tensor }).forward(tf.tensor2d(ids, [2, length], 'int32')), p: tf.zeros([1]) };
      return out.logits;
    });
    const expected = parallel.arraySync() as number[][][];
    parallel.dispose();
    const rows = (from: number, to: number) => Int32Array.from([...ids.subarray(from, to), ...ids.subarray(length + from, length + to)]);
    let state = model.prefill(rows(0, prefix), 2, prefix);
    for (let t = prefix; t < length; t++) {
      const got = state.logits.arraySync();
      for (let b = 0; b < 2; b++) {
        const want = (expected[b] as number[][])[t - 1] as number[];
        const worst = Math.max(...want.map((v, i) => Math.abs(v - ((got[b] as number[])[i] as number))));
        expect(worst, `row ${b}, position ${t - 1}`).toBeLessThan(2e-4 * Math.max(1, ...want.map(Math.abs)));
      }
      state = model.step(state, rows(t, t + 1));
    }
    state.dispose();
    model.module.dispose();
    // After the model (and its kept RoPE tables) is gone, nothing decoding made may remain.
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('honours a categorical sampler (GenerateOptions.sampler): a spec draws what the shorthand draws; others are refused', async () => {
    const { model } = createByteGen(TINY_TRANSFORMER);
    const bytes = async (extra: Partial<Parameters<typeof generateAll>[1]>) =>
      (await generateAll(model, { eventsPerStream: 1, streams: 2, history: events, windowBytes: 64, constraint: 'syntax', seed: 4, ...extra })).streams
        .flat()
        .map((r) => Buffer.from(r.bytes).toString('hex'));
    expect(await bytes({ sampler: { name: 'categorical', config: { temperature: 0.5 } } })).toEqual(await bytes({ temperature: 0.5 }));
    // A field the request lacks: greedy decoding is one draw whatever the seed.
    const greedy = await bytes({ sampler: { name: 'categorical', config: { greedy: true } } });
    expect(await bytes({ sampler: { name: 'categorical', config: { greedy: true } }, seed: 99 })).toEqual(greedy);
    expect(await bytes({ seed: 99 })).not.toEqual(await bytes({}));
    await expect(bytes({ sampler: { name: 'euler' } })).rejects.toThrow(/finance-bytes\/bytegen draws with a categorical sampler; sampler 'euler' is diffusion/);
    await expect(bytes({ sampler: { name: 'categorical' }, temperature: 1 })).rejects.toThrow(/either temperature or a sampler/);
    model.module.dispose();
  });
});

describe('ByteGen training, checkpoints and generation (wasm)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fb-bytegen-'));
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(CONFIGS)('%s: the loss falls over a few steps, training leaves no tensors, and a saved model loads to the same logits', async (name, config) => {
    const baseline = tf.memory().numTensors;
    const trained = await trainByteGen({ stream, config, trainer: { steps: 12, lr: 3e-3, logEvery: 1 }, batchSize: 4 });
    const losses = trained.result.history.map((h) => h.loss);
    expect(Math.min(...losses.slice(-3))).toBeLessThan((losses[0] as number) - 0.5);
    trained.trainer.dispose();
    const before = evaluateBytes(trained.model, stream, { windowBytes: 64, windows: 4 });
    expect(before.bitsPerByte).toBeLessThan(8);
    if (name === 'hnet') expect(before.boundaries?.byOffset).toHaveLength(32);
    else expect(before.boundaries).toBeUndefined();
    saveByteGen(join(dir, name), trained);
    const loaded = loadByteGen(join(dir, name));
    expect(evaluateBytes(loaded.model, stream, { windowBytes: 64, windows: 4 }).bitsPerByte).toBeCloseTo(before.bitsPerByte, 5);
    trained.model.module.dispose();
    loaded.model.module.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('generates whole events: all consistent with the book constraint, all decodable with the syntax one, seeded', async () => {
    const baseline = tf.memory().numTensors;
    const { model } = createByteGen(TINY_HNET);
    const run = (constraint: 'none' | 'syntax' | 'book', seed = 5) => generateAll(model, { eventsPerStream: 3, streams: 3, history: events, windowBytes: 64, constraint, seed });
    const book = (await run('book')).streams.flat();
    expect(book).toHaveLength(9);
    expect(book.every((r) => r.consistent)).toBe(true);
    const syntax = (await run('syntax')).streams.flat();
    expect(syntax.every((r) => r.event !== undefined)).toBe(true);
    const none = await run('none');
    expect(none.streams.flat().every((r) => r.bytes.length === 32)).toBe(true);
    const again = await run('none');
    expect(again.streams.flat().map((r) => Buffer.from(r.bytes).toString('hex'))).toEqual(none.streams.flat().map((r) => Buffer.from(r.bytes).toString('hex')));
    model.module.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
