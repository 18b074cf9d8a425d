/**
 * VAR generation speed: ms per image and images/s with the KV cache and with full recomputation per scale, at the
 * var-tiny-a fixture size and at the config TFJS-NOTES.md timed with the official PyTorch code (depth 4, width 256,
 * heads 4, patch_nums 1…8, vocab 4096, Cvae 32, ch 32: 166 ms/image), on each available backend. Random weights;
 * one class-conditional image per call, cfg 1.5, top-k 900, top-p 0.96, VQVAE decode included; median after a warm-up.
 *
 *   npx tsx packages/vision/bench/var-generate.ts [--repeats 3] [--backends wasm,cpu]
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
const repeats = Number(option('repeats') ?? 3);

const fixtureConfig = JSON.parse(readFileSync(new URL('../test/fixtures/var-tiny-a/config.json', import.meta.url), 'utf8')) as unknown;
const configs = {
  'var-tiny-a fixture': parseVarModelConfig(fixtureConfig),
  'depth 4 / width 256 / patch_nums 1-8': parseVarModelConfig({
    vqvae: { vocab_size: 4096, z_channels: 32, ch: 32, v_patch_nums: [1, 2, 3, 4, 5, 6, 8] },
    var: { num_classes: 1000, depth: 4, embed_dim: 256, num_heads: 4, patch_nums: [1, 2, 3, 4, 5, 6, 8] },
  }),
};

async function timeGeneration(model: ReturnType<typeof buildVar>, kvCache: boolean, count: number) {
  const request = { classes: [3], cfg: 1.5, topK: 900, topP: 0.96, kvCache };
  await generateVarAll(model, request, { seed: 0 });
  const times: number[] = [];
  let peakBytes = 0;
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const profile = await tf.profile(async () => {
      await generateVarAll(model, request, { seed: i + 1 });
      return [];
    });
    times.push(performance.now() - start);
    peakBytes = Math.max(peakBytes, profile.peakBytes);
  }
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)] as number;
  return { msPerImage: Math.round(ms * 10) / 10, imagesPerSecond: Math.round((1000 / ms) * 100) / 100, peakTensorBytes: peakBytes };
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
    const withCache = await timeGeneration(model, true, backend === 'cpu' ? 1 : repeats);
    const recompute = await timeGeneration(model, false, backend === 'cpu' ? 1 : repeats);
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
