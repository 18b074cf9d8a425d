import { describe, expect, it } from 'vitest';
import { tf, type FlowDenoiser } from '@nextx/core';
import { ChunkFlowCache } from '../src/generate/flow-cache.js';
import { generateVideo, type VideoChunk } from '../src/generate/generate.js';
import { tinyModel } from './helpers/tiny-model.js';
import { useWasmWithoutLeaks } from './helpers/tensors.js';

describe('FlowCache chunk-wise reuse', () => {
  useWasmWithoutLeaks();

  it('reuses while the accumulated relative L1 change stays under the threshold; first and last steps always run', () => {
    const cache = new ChunkFlowCache({ threshold: 0.01, warmup: 0 }, (x) => tf.clone(x));
    let calls = 0;
    const denoise: FlowDenoiser = ({ x }) => (calls++, tf.mul(x, 2));
    const wrapped = cache.wrap(denoise);
    // Inputs [a, 1] with relative changes to the previous input of 0.002, 0.0045, 0.0045, 0.0005, 0.001 (|Δa| / mean|prev| = 2|Δa| / (a + 1)).
    const inputs = [1, 1.004, 1.0130, 1.0221, 1.0231, 1.0251];
    const decisions: string[] = [];
    const t = tf.scalar(0.5);
    inputs.forEach((a, step) => {
      const before = calls;
      const x = tf.tensor1d([a, 1]);
      const out = wrapped({ x, t, step, numSteps: inputs.length }) as tf.Tensor;
      decisions.push(calls > before ? 'run' : `reuse ${out.dataSync()[0]?.toFixed(4)}`);
      tf.dispose([x, out]);
    });
    // Step 1: 0.002 → reuse; step 2: 0.0065 → reuse; step 3: 0.011 ≥ 0.01 → run, sum restarts; step 4: 0.0005 → reuse;
    // step 5 is the last step: run.
    expect(decisions).toEqual(['run', 'reuse 2.0000', 'reuse 2.0000', 'run', 'reuse 2.0442', 'run']);
    expect(cache.reuse).toEqual({ computed: 3, reused: 3 });
    cache.dispose();
    t.dispose();
  });

  it('honours warm-up steps', () => {
    const cache = new ChunkFlowCache({ threshold: 1, warmup: 3 }, (x) => tf.clone(x));
    const wrapped = cache.wrap(({ x }) => tf.clone(x));
    const t = tf.scalar(0.5);
    for (let step = 0; step < 6; step++) {
      const x = tf.tensor1d([1, 1]);
      tf.dispose([x, wrapped({ x, t, step, numSteps: 6 }) as tf.Tensor]);
    }
    t.dispose();
    expect(cache.reuse).toEqual({ computed: 4, reused: 2 }); // steps 0–2 warm up, 5 is the last
    cache.dispose();
  });

  it('in generation: threshold 0 changes nothing, a huge one reuses every inner step, counted per chunk', async () => {
    const model = tinyModel();
    const run = async (flowCache?: { threshold: number }) => {
      const chunks: VideoChunk[] = [];
      for await (const { value } of generateVideo(model, { frames: 6, cache: { mode: 'full' }, sampling: { sampler: 'flow-euler', steps: 5 }, ...(flowCache ? { flowCache } : {}) }, { seed: 4 })) chunks.push(value);
      return chunks;
    };
    const off = await run();
    const zero = await run({ threshold: 0 });
    const huge = await run({ threshold: 1e9 });
    expect(off.map((c) => c.reuse)).toEqual([0, 1, 2].map(() => ({ computed: 5, reused: 0 })));
    expect(zero.map((c) => c.reuse)).toEqual(off.map((c) => c.reuse));
    zero.forEach((c, i) => expect(Array.from(c.frames)).toEqual(Array.from(off[i]?.frames ?? [])));
    expect(huge.map((c) => c.reuse)).toEqual([0, 1, 2].map(() => ({ computed: 2, reused: 3 })));
    expect(huge.some((c, i) => c.frames.some((v, j) => Math.abs(v - (off[i]?.frames[j] as number)) > 1e-4))).toBe(true);
    model.dispose();
  });
});
