/**
 * VAR generation speed: ms per image and images/s with the KV cache and with full recomputation per scale, at the
 * var-tiny-a fixture size and at the config TFJS-NOTES.md timed with the official PyTorch code (depth 4, width 256,
 * heads 4, patch_nums 1…8, vocab 4096, Cvae 32, ch 32: 166 ms/image), on each available backend. Random weights;
 * one class-conditional image per call, cfg 1.5, top-k 900, top-p 0.96, VQVAE decode included; the two variants timed
 * alternately after warm-ups, median (timed outside tf.profile; peak memory from a separate profiled run).
 *
 * With --pytorch <checkout of github.com/FoundationVision/VAR>, the official code generates the depth-4 config in
 * the same run (bench/pytorch/var_official.py, once per --pytorch-threads count, default 1,2) and the ratio is taken to
 * its best; without it, to the figure TFJS-NOTES.md recorded. nextx's threads: NEXTX_WASM_THREADS (OpenBLAS's when
 * @nextx/native-blas is loaded, XNNPACK's otherwise; NEXTX_BLAS=0 for plain wasm).
 *
 *   npx tsx packages/vision/bench/var-generate.ts [--repeats 7] [--backends wasm,cpu] [--configs fixture,depth4]
 *       [--pytorch /tmp/VAR] [--pytorch-threads 1,2] [--pytorch-repeats 5] [--pytorch-coretype <OpenBLAS kernel set>|auto]
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { initBackend, listBackends, tf, type BackendName, type BackendStatus } from '@nextx/core';
import { parseVarModelConfig } from '../src/var/config.js';
import { generateVarAll } from '../src/var/generate.js';
import { buildVar } from '../src/var/load.js';
import { runOfficialVar, type PytorchReference } from './pytorch-reference.js';

/** TFJS-NOTES.md: the official code, torch 1.13 CPU, 2 threads, 2026-11 (AMD EPYC), when --pytorch is not given. */
const PYTORCH_NOTES_MS_PER_IMAGE = 166;

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const repeats = Number(option('repeats') ?? 7);

const fixtureConfig = JSON.parse(readFileSync(new URL('../test/fixtures/var-tiny-a/config.json', import.meta.url), 'utf8')) as unknown;
/** --configs fixture,depth4 (default both). */
const allConfigs = {
  fixture: ['var-tiny-a fixture', parseVarModelConfig(fixtureConfig)],
  depth4: [
    'depth 4 / width 256 / patch_nums 1-8',
    parseVarModelConfig({
      vqvae: { vocab_size: 4096, z_channels: 32, ch: 32, v_patch_nums: [1, 2, 3, 4, 5, 6, 8] },
      var: { num_classes: 1000, depth: 4, embed_dim: 256, num_heads: 4, patch_nums: [1, 2, 3, 4, 5, 6, 8] },
    }),
  ],
} as const;
const configKeys = (option('configs') ?? 'fixture,depth4').split(',') as Array<keyof typeof allConfigs>;
const configs = Object.fromEntries(configKeys.map((key) => allConfigs[key]));

type Model = ReturnType<typeof buildVar>;
const requestFor = (kvCache: boolean) => ({ classes: [3], cfg: 1.5, topK: 900, topP: 0.96, kvCache });

const medianOf = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** cpuMsPerImage: CPU time of all the process's threads (on a loaded machine wall time grows, this much less). */
function summary(times: number[], cpuTimes: number[], peakTensorBytes: number) {
  const ms = medianOf(times);
  return { msPerImage: Math.round(ms * 10) / 10, imagesPerSecond: Math.round((1000 / ms) * 100) / 100, cpuMsPerImage: Math.round(medianOf(cpuTimes)), peakTensorBytes };
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
  const cpu = { cache: [] as number[], recompute: [] as number[] };
  for (let i = 0; i < count; i++) {
    for (const kvCache of [true, false]) {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      await generateVarAll(model, requestFor(kvCache), { seed: i + 1 });
      (kvCache ? times.cache : times.recompute).push(performance.now() - start);
      const used = process.cpuUsage(cpuStart);
      (kvCache ? cpu.cache : cpu.recompute).push((used.user + used.system) / 1000);
    }
  }
  return {
    withCache: summary(times.cache, cpu.cache, await peakBytes(model, true)),
    recompute: summary(times.recompute, cpu.recompute, await peakBytes(model, false)),
  };
}

const available = (await listBackends()).filter((b) => b.available).map((b) => b.name);
const wanted = (option('backends')?.split(',') as BackendName[] | undefined) ?? available;
const loadBefore = loadavg();
let wasmStatus: BackendStatus | undefined;
let pytorch: PytorchReference | undefined;
const pytorchCode = option('pytorch');
if (pytorchCode) {
  // The kernels nextx's OpenBLAS uses, unless told otherwise (see PytorchOptions.coretype).
  const status = wanted.includes('wasm') ? await initBackend({ prefer: 'wasm' }) : undefined;
  pytorch = runOfficialVar({
    code: pytorchCode,
    config: 'depth4',
    threads: (option('pytorch-threads') ?? '1,2').split(',').map(Number),
    repeats: Number(option('pytorch-repeats') ?? 5),
    coretype: option('pytorch-coretype') ?? status?.blas?.kernels ?? 'auto',
  });
}
const pytorchMs = pytorch?.bestMsPerImage ?? PYTORCH_NOTES_MS_PER_IMAGE;
const results = [];
for (const backend of wanted.filter((b) => available.includes(b))) {
  const status = await initBackend({ prefer: backend });
  if (backend === 'wasm') wasmStatus = status;
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
      ...(name.startsWith('depth 4') ? { ratioToPytorchCpu: Math.round((withCache.msPerImage / pytorchMs) * 100) / 100 } : {}),
    });
  }
}
console.log(
  JSON.stringify(
    {
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadAverageBefore: loadBefore, loadAverageAfter: loadavg() },
      wasm: wasmStatus && { xnnpackThreads: wasmStatus.wasmThreads, blas: wasmStatus.blas },
      pytorch: pytorch ?? { source: 'TFJS-NOTES.md (not measured in this run: pass --pytorch <VAR checkout>)', bestMsPerImage: PYTORCH_NOTES_MS_PER_IMAGE },
      rssBytes: process.memoryUsage().rss,
      results,
    },
    null,
    2,
  ),
);
