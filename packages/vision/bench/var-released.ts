/**
 * The released model size: loads vae_ch160v4096z32.pth and var_d{depth}.pth from a folder (the authors' release files,
 * or files of the same structure written by torch.save from the official code) and times one class-conditional
 * 256×256 image with guidance 1.5, top-k 900, top-p 0.96 and the KV cache, VQVAE decode included: median after a
 * warm-up. Prints JSON with the load time, ms per image, peak tensor memory and the ratio to the official PyTorch code
 * on this machine (TFJS-NOTES.md: VAR-d16, torch 1.13 CPU with OpenBLAS, 2 threads: 12,081 ms per image).
 *
 *   npx tsx packages/vision/bench/var-released.ts --dir <folder> [--depth 16] [--repeats 3] [--backend wasm]
 */
import { cpus } from 'node:os';
import { initBackend, tf, type BackendName } from '@nextx/core';
import { generateVarAll } from '../src/var/generate.js';
import { loadReleasedVar } from '../src/var/load.js';

const PYTORCH_D16_MS_PER_IMAGE = 12_081;

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const dir = option('dir');
if (!dir) throw new Error('--dir <folder with vae_ch160v4096z32.pth and var_d<depth>.pth> is required');
const depth = Number(option('depth') ?? 16);
const repeats = Number(option('repeats') ?? 3);
const backend = (option('backend') ?? 'wasm') as BackendName;

await initBackend({ prefer: backend });
const loadStart = performance.now();
const model = await loadReleasedVar(dir, depth);
const loadSeconds = (performance.now() - loadStart) / 1000;
const request = { classes: [3], cfg: 1.5, topK: 900, topP: 0.96 };
await generateVarAll(model, request, { seed: 0 });
const times: number[] = [];
for (let i = 0; i < repeats; i++) {
  const start = performance.now();
  await generateVarAll(model, request, { seed: i + 1 });
  times.push(performance.now() - start);
}
const profile = await tf.profile(async () => {
  await generateVarAll(model, request, { seed: 0 });
  return [];
});
const ms = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] as number;
const result = {
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
  backend,
  depth,
  parameters: { vqvae: model.vqvae.numParameters(), transformer: model.transformer.numParameters() },
  loadSeconds: Math.round(loadSeconds * 10) / 10,
  msPerImage: Math.round(ms),
  timesMs: times.map((t) => Math.round(t)),
  peakTensorBytes: profile.peakBytes,
  rssBytes: process.memoryUsage().rss,
  ...(depth === 16 ? { pytorchMsPerImage: PYTORCH_D16_MS_PER_IMAGE, ratioToPytorchCpu: Math.round((ms / PYTORCH_D16_MS_PER_IMAGE) * 100) / 100 } : {}),
};
model.dispose();
console.log(JSON.stringify(result, null, 2));
