/**
 * The released model size: loads vae_ch160v4096z32.pth and var_d{depth}.pth from a folder (the authors' release files,
 * or files of the same structure written by torch.save from the official code) and times one class-conditional
 * 256×256 image with guidance 1.5, top-k 900, top-p 0.96 and the KV cache, VQVAE decode included: median after a
 * warm-up. Prints JSON with the load time, ms per image, peak tensor memory and the ratio to the official PyTorch code:
 * with --pytorch <checkout of github.com/FoundationVision/VAR>, measured in the same run on the same files
 * (bench/pytorch/var_official.py, once per --pytorch-threads count, default 1,2; the ratio is to the best), else the
 * figure TFJS-NOTES.md recorded (VAR-d16, torch 1.13 CPU with OpenBLAS, 2 threads: 12,081 ms per image).
 * --batches 2,4,8 then generates that many images in one call each, in order, and reports which fit in the 4 GiB wasm
 * heap (stopping at the first that does not); with --repeats 0 only the batches run (no single-image timing or
 * profile: a batch-limit run). nextx's threads: NEXTX_WASM_THREADS (OpenBLAS's with the addon).
 *
 *   npx tsx packages/vision/bench/var-released.ts --dir <folder> [--depth 16] [--repeats 3] [--backend wasm]
 *       [--pytorch /tmp/VAR] [--pytorch-threads 1,2] [--pytorch-repeats 3] [--pytorch-coretype <set>|auto] [--batches 2,4,8]
 */
import { cpus, loadavg } from 'node:os';
import { initBackend, tf, type BackendName } from '@nextx/core';
import { generateVarAll } from '../src/var/generate.js';
import { loadReleasedVar } from '../src/var/load.js';
import { runOfficialVar } from './pytorch-reference.js';

/** TFJS-NOTES.md: the official code on VAR-d16, torch 1.13 CPU, 2 threads, 2026-11 (AMD EPYC), without --pytorch. */
const PYTORCH_NOTES_D16_MS_PER_IMAGE = 12_081;

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const dir = option('dir');
if (!dir) throw new Error('--dir <folder with vae_ch160v4096z32.pth and var_d<depth>.pth> is required');
const depth = Number(option('depth') ?? 16);
const repeats = Number(option('repeats') ?? 3);
if (!Number.isInteger(repeats) || repeats < 0) throw new Error(`--repeats must be an integer ≥ 0; got '${option('repeats')}'`);
const backend = (option('backend') ?? 'wasm') as BackendName;

const status = await initBackend({ prefer: backend });
const loadBefore = loadavg();
const pytorchCode = option('pytorch');
const pytorch =
  pytorchCode && depth === 16
    ? runOfficialVar({
        code: pytorchCode,
        config: 'd16',
        dir,
        threads: (option('pytorch-threads') ?? '1,2').split(',').map(Number),
        repeats: Number(option('pytorch-repeats') ?? 3),
        coretype: option('pytorch-coretype') ?? status.blas?.kernels ?? 'auto',
      })
    : undefined;
const pytorchMs = pytorch?.bestMsPerImage ?? PYTORCH_NOTES_D16_MS_PER_IMAGE;
/** Each measurement as it is made, on stderr: a run cut short keeps what it measured. */
const progress = (what: string, value: unknown) => console.error(`var-released: ${what} ${JSON.stringify(value)}`);
if (pytorch) progress('pytorch', pytorch.runs.map((r) => ({ threads: r.threads, msPerImage: r.msPerImage })));
const loadStart = performance.now();
const model = await loadReleasedVar(dir, depth);
const loadSeconds = (performance.now() - loadStart) / 1000;
progress('loadSeconds', Math.round(loadSeconds * 10) / 10);
const request = { classes: [3], cfg: 1.5, topK: 900, topP: 0.96 };
if (repeats > 0) await generateVarAll(model, request, { seed: 0 });
const times: number[] = [];
const cpuTimes: number[] = [];
for (let i = 0; i < repeats; i++) {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  await generateVarAll(model, request, { seed: i + 1 });
  times.push(performance.now() - start);
  const cpu = process.cpuUsage(cpuStart);
  cpuTimes.push((cpu.user + cpu.system) / 1000);
  progress('msPerImage', Math.round(times.at(-1) as number));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const profile =
  repeats > 0
    ? await tf.profile(async () => {
        await generateVarAll(model, request, { seed: 0 });
        return [];
      })
    : undefined;
const ms = repeats > 0 ? median(times) : undefined;
const batches = [];
for (const size of (option('batches') ?? '').split(',').filter(Boolean).map(Number)) {
  const classes = Array.from({ length: size }, (_, i) => (3 + 97 * i) % 1000);
  const start = performance.now();
  try {
    await generateVarAll(model, { ...request, classes }, { seed: 1 });
    batches.push({ images: size, ok: true, msPerImage: Math.round((performance.now() - start) / size), heapBytes: heapBytes() });
    progress('batch', batches.at(-1));
  } catch (error) {
    batches.push({ images: size, ok: false, error: String(error).split('\n')[0], heapBytes: heapBytes() });
    break;
  }
}
const result = {
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadAverageBefore: loadBefore, loadAverageAfter: loadavg() },
  backend,
  wasm: { xnnpackThreads: status.wasmThreads, blas: status.blas },
  depth,
  parameters: { vqvae: model.vqvae.numParameters(), transformer: model.transformer.numParameters() },
  loadSeconds: Math.round(loadSeconds * 10) / 10,
  ...(ms === undefined
    ? {}
    : {
        msPerImage: Math.round(ms),
        timesMs: times.map((t) => Math.round(t)),
        /** CPU time of all the process's threads per image (median): on a loaded machine wall time grows, this much less. */
        cpuMsPerImage: Math.round(median(cpuTimes)),
        peakTensorBytes: profile?.peakBytes,
      }),
  rssBytes: process.memoryUsage().rss,
  ...(depth === 16 && ms !== undefined
    ? {
        pytorch: pytorch ?? { source: 'TFJS-NOTES.md (not measured in this run: pass --pytorch <VAR checkout>)', bestMsPerImage: PYTORCH_NOTES_D16_MS_PER_IMAGE },
        ratioToPytorchCpu: Math.round((ms / pytorchMs) * 100) / 100,
      }
    : {}),
  ...(batches.length ? { batches } : {}),
};

/** The wasm heap's current size (it only grows), where the backend is wasm. */
function heapBytes(): number | undefined {
  const module = (tf.findBackend('wasm') as unknown as { wasm?: { HEAPU8: Uint8Array } } | null)?.wasm;
  return backend === 'wasm' ? module?.HEAPU8.length : undefined;
}
model.dispose();
console.log(JSON.stringify(result, null, 2));
