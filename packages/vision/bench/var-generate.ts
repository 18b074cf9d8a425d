/**
 * VAR generation speed: ms per image and images/s with the KV cache and with full recomputation per scale, at the
 * var-tiny-a fixture size and at the config TFJS-NOTES.md timed with the official PyTorch code (depth 4, width 256,
 * heads 4, patch_nums 1…8, vocab 4096, Cvae 32, ch 32: 166 ms/image), on each available backend. Random weights;
 * one class-conditional image per call, cfg 1.5, top-k 900, top-p 0.96, VQVAE decode included; the two variants timed
 * alternately after warm-ups, median (timed outside tf.profile; peak memory from a separate profiled run).
 *
 *   npx tsx packages/vision/bench/var-generate.ts [--repeats 7] [--backends wasm,cpu]
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { initBackend, listBackends, tf, type BackendName } from '@nextx/core';
import { parseVarModelConfig } from '../src/var/config.js';
import { generateVarAll } from '../src/var/generate.js';
import { buildVar } from '../src/var/load.js';

const PYTORCH_MS_PER_IMAGE = 166;

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const repeats = Number(option('repeats') ?? 7);

const fixtureConfig = JSON.parse(readFileSync(new URL('../test/fixtures/var-tiny-a/config.json', import.meta.url), 'utf8')) as unknown;
const configs = {
  'var-tiny-a fixture': parseVarModelConfig(fixtureConfig),
  'depth 4 / width 256 / patch_nums 1-8': parseVarModelConfig({
    vqvae: { vocab_size: 4096, z_channels: 32, ch: 32, v_patch_nums: [1, 2, 3, 4, 5, 6, 8] },
    var: { num_classes: 1000, depth: 4, embed_dim: 256, num_heads: 4, patch_nums: [1, 2, 3, 4, 5, 6, 8] },
  }),
};

type Model = ReturnType<typeof buildVar>;
const requestFor = (kvCache: boolean) => ({ classes: [3], cfg: 1.5, topK: 900, topP: 0.96, kvCache });

function summary(times: number[], peakTensorBytes: number) {
  const sorted = [...times].sort((a, b) => a - b);
  const ms = sorted[Math.floor(sorted.length / 2)] as number;
  return { msPerImage: Math.round(ms * 10) / 10, imagesPerSecond: Math.round((1000 / ms) * 100) / 100, peakTensorBytes };
}

/** Peak tensor memory of one generation, from a separate profiled run (tf.profile slows every kernel down). */
async function peakBytes(model: Model, kvCache: boolean): Promise<number> {
  const profile = await tf.profile(async () => {
    await generateVarAll(model, requestFor(kvCache), { seed: 0 });
    return [];
  });
  return profile.peakBytes;
}

/**
 * Times the two variants alternately (cache, recompute, cache, ...) after `warmups` runs of each, so that JIT warm-up
 * and machine noise fall on both alike and their ratio is measured in one run.
 */
async function compareVariants(model: Model, count: number, warmups: number) {
  for (let i = 0; i < warmups; i++) {
    for (const kvCache of [true, false]) await generateVarAll(model, requestFor(kvCache), { seed: 0 });
  }
  const times = { cache: [] as number[], recompute: [] as number[] };
  for (let i = 0; i < count; i++) {
    for (const kvCache of [true, false]) {
      const start = performance.now();
      await generateVarAll(model, requestFor(kvCache), { seed: i + 1 });
      (kvCache ? times.cache : times.recompute).push(performance.now() - start);
    }
  }
  return {
    withCache: summary(times.cache, await peakBytes(model, true)),
    recompute: summary(times.recompute, await peakBytes(model, false)),
  };
}

const available = (await listBackends()).filter((b) => b.available).map((b) => b.name);
const wanted = (option('backends')?.split(',') as BackendName[] | undefined) ?? available;
const results = [];
for (const backend of wanted.filter((b) => available.includes(b))) {
  await initBackend({ prefer: backend });
  for (const [name, config] of Object.entries(configs)) {
    const model = buildVar(config, 0);
    model.vqvae.eval();
    model.transformer.eval();
    const quick = backend === 'cpu';
    const { withCache, recompute } = await compareVariants(model, quick ? 1 : repeats, quick ? 1 : 3);
    const params = model.transformer.numParameters() + model.vqvae.numParameters();
    model.dispose();
    results.push({
      backend,
      config: name,
      parameters: params,
      kvCache: withCache,
      fullRecompute: recompute,
      kvCacheSpeedup: Math.round((recompute.msPerImage / withCache.msPerImage) * 100) / 100,
      ...(name.startsWith('depth 4') ? { ratioToPytorchCpu: Math.round((withCache.msPerImage / PYTORCH_MS_PER_IMAGE) * 100) / 100 } : {}),
    });
  }
}
console.log(
  JSON.stringify(
    { machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version }, pytorchReferenceMsPerImage: PYTORCH_MS_PER_IMAGE, rssBytes: process.memoryUsage().rss, results },
    null,
    2,
  ),
);
