// Streaming generation: frames/s and peak memory against length for each way of keeping the context, and FlowCache's
// speed-up and quality loss at three thresholds. Prints JSON.
//   npx tsx bench/video-stream.ts [--checkpoint <dir>] [--lengths 64,256,1024] [--thresholds 0.01,0.03,0.1] [--flow-steps 16]
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { initBackend, tf } from '@nextx/core';
import { generateVideo, type VideoRequestInput } from '../src/generate/generate.js';
import type { CacheSpecInput } from '../src/generate/cache-spec.js';
import { loadVideoModel } from '../src/model/checkpoint.js';
import { VideoModel } from '../src/model/video-model.js';
import { MovingObjects } from '../src/data/moving-objects.js';
import { psnr } from '../src/eval/metrics.js';
import { DEMO_CHECKPOINT } from '../src/cli/demo-checkpoint.js';

const { values } = parseArgs({
  options: {
    checkpoint: { type: 'string' },
    lengths: { type: 'string', default: '64,256,1024' },
    thresholds: { type: 'string', default: '0.01,0.03,0.1' },
    'flow-steps': { type: 'string', default: '16' },
    'flow-frames': { type: 'string', default: '64' },
    modes: { type: 'string', default: 'none,full,window,compressed' },
  },
});
const backend = await initBackend({ prefer: 'wasm' });
const checkpoint = values.checkpoint ?? DEMO_CHECKPOINT;
const model = existsSync(checkpoint) ? loadVideoModel(checkpoint) : new VideoModel({ dim: 96 });
const size = model.frameSize;
const context = tf.tensor4d(new MovingObjects(model.config.data).sequence('heldout', 0).frames(0, 4), [1, 4, size, size]);

interface Run {
  frames: Float32Array[];
  seconds: number;
  cpuSeconds: number;
  peakTensorBytes: number;
  peakCacheBytes: number;
  reuse: { computed: number; reused: number };
}

async function run(request: VideoRequestInput, keepFrames = false): Promise<Run> {
  const baseline = tf.memory().numBytes;
  let peakTensorBytes = 0;
  let peakCacheBytes = 0;
  const frames: Float32Array[] = [];
  const reuse = { computed: 0, reused: 0 };
  const cpu = process.cpuUsage();
  const started = performance.now();
  for await (const { value } of generateVideo(model, { ...request, context }, { seed: 1 })) {
    peakTensorBytes = Math.max(peakTensorBytes, tf.memory().numBytes - baseline);
    peakCacheBytes = Math.max(peakCacheBytes, value.cacheBytes);
    reuse.computed += value.reuse.computed;
    reuse.reused += value.reuse.reused;
    if (keepFrames) frames.push(value.frames);
  }
  const used = process.cpuUsage(cpu);
  return { frames, seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6, peakTensorBytes, peakCacheBytes, reuse };
}

const modes: Record<string, CacheSpecInput> = {
  none: { mode: 'none', windowFrames: model.config.generation.windowFrames },
  full: { mode: 'full' },
  window: { mode: 'window' },
  compressed: { mode: 'compressed' },
};
const lengths = values.lengths.split(',').map(Number);
for (const spec of Object.values(modes)) await run({ frames: 8, cache: spec }); // warm-up: kernels, tables, pages
const memory: Record<string, unknown>[] = [];
for (const name of values.modes.split(',')) {
  for (const frames of lengths) {
    const r = await run({ frames, cache: modes[name] as CacheSpecInput });
    const row = { cache: name, frames, seconds: r.seconds, cpuSeconds: r.cpuSeconds, framesPerSecond: frames / r.seconds, framesPerCpuSecond: frames / r.cpuSeconds, peakTensorBytes: r.peakTensorBytes, peakCacheBytes: r.peakCacheBytes };
    memory.push(row);
    console.error(JSON.stringify(row));
  }
}

// FlowCache: the flow ODE with more steps, where consecutive inputs are close; PSNR against the same run without reuse.
const flowSteps = Number(values['flow-steps']);
const flowFrames = Number(values['flow-frames']);
const base = { frames: flowFrames, cache: { mode: 'window' } as CacheSpecInput, sampling: { sampler: 'flow-euler' as const, steps: flowSteps } };
await run({ ...base, frames: 8, flowCache: { threshold: 0.01 } }); // warm-up of the many-step schedule and the reuse check
const reference = await run(base, true);
const flowCache = [];
for (const threshold of values.thresholds.split(',').map(Number)) {
  const r = await run({ ...base, flowCache: { threshold } }, true);
  const frames = r.frames.flatMap((chunk, i) => {
    const ref = reference.frames[i] as Float32Array;
    const plane = size * size;
    return Array.from({ length: chunk.length / plane }, (_, f) => Math.min(psnr(ref.subarray(f * plane, (f + 1) * plane), chunk.subarray(f * plane, (f + 1) * plane)), 100));
  });
  const row = {
    threshold,
    speedup: reference.seconds / r.seconds,
    cpuSpeedup: reference.cpuSeconds / r.cpuSeconds,
    reusedShare: r.reuse.reused / (r.reuse.computed + r.reuse.reused),
    psnrAgainstUncached: frames.reduce((a, b) => a + b, 0) / frames.length,
    seconds: r.seconds,
  };
  flowCache.push(row);
  console.error(JSON.stringify(row));
}
context.dispose();
console.log(
  JSON.stringify(
    {
      machine: { backend: backend.active, cpus: cpus().length, loadAverage: loadavg() },
      checkpoint: existsSync(checkpoint) ? checkpoint : 'random weights (no checkpoint)',
      memory,
      flowCache: { steps: flowSteps, frames: flowFrames, referenceSeconds: reference.seconds, referenceCpuSeconds: reference.cpuSeconds, thresholds: flowCache, paperAnchor: { 'MAGI-1': 2.38, 'SkyReels-V2': 6.7 } },
    },
    null,
    2,
  ),
);
model.dispose();
