#!/usr/bin/env node
// The tables of core's and vision's BENCHMARKS.md (issue 14 sections) filled in from a results folder of
// bench/native-blas.sh: `node bench/native-blas-report.mjs <folder>` prints Markdown. Only what the JSON files hold
// is printed; a missing or failed step shows as "(step failed or not run)".
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir || !existsSync(dir)) {
  console.error('usage: node bench/native-blas-report.mjs <results folder of bench/native-blas.sh>');
  process.exit(2);
}

const steps = existsSync(join(dir, 'steps.jsonl'))
  ? readFileSync(join(dir, 'steps.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line))
  : [];
/** A step's JSON, or undefined when it failed, did not run or printed no JSON. */
function load(step) {
  if (steps.find((s) => s.step === step)?.rc !== 0) return undefined;
  try {
    return JSON.parse(readFileSync(join(dir, `${step}.json`), 'utf8'));
  } catch {
    return undefined;
  }
}
const missing = (step) => `(${step}: step failed or not run; see ${step}.err)\n`;
const table = (header, rows) => [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n') + '\n';
const fmt = (n, digits = 0) => (n === undefined || n === null || Number.isNaN(n) ? '—' : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const ratio = (a, b) => (a && b ? `${fmt(a / b, 2)}×` : '—');
const threads = (n) => (typeof n === 'number' ? `${n} thread${n > 1 ? 's' : ''}` : '? threads');
const gb = (bytes) => (bytes ? `${fmt(bytes / 1e9, 2)} GB` : '—');

const out = [];
const print = (text) => out.push(text);

// Conditions: machine and load from whichever JSON has them.
const anyMachine = ['var-depth4', 'var-d16', 'vqvae-train-1t'].map(load).find((j) => j?.machine)?.machine;
const loads = ['bench-core', 'var-depth4', 'var-d16', 'var-d16-wasm', 'gpt-train-1t', 'gpt-train-2t', 'vqvae-train-1t', 'vqvae-train-2t']
  .map(load)
  .flatMap((j) => [j?.machine?.loadAverage, j?.machine?.loadAverageBefore, j?.machine?.loadAverageAfter])
  .filter(Boolean)
  .map((l) => l[0]);
print(`# bench/native-blas.sh results: ${dir}\n`);
print(
  `Machine: ${anyMachine?.cpus ?? anyMachine?.cores ?? '?'} cpus (${anyMachine?.cpu ?? '?'}), Node ${anyMachine?.node ?? '?'}; ` +
    `1-minute load average during the steps ${loads.length ? `${fmt(Math.min(...loads), 1)}–${fmt(Math.max(...loads), 1)}` : 'unknown'}; ` +
    `steps took ${steps.reduce((s, x) => s + x.seconds, 0)} s in all.\n`,
);

// 1. doctor
print('## 1024³ matMul, `nextx doctor --threads 2 --json`\n');
const doctorBlas = load('doctor-openblas');
const doctorWasm = load('doctor-wasm');
const wasmOf = (report) => report?.backends.find((b) => b.name === 'wasm');
const blasWasm = wasmOf(doctorBlas);
const plainWasm = wasmOf(doctorWasm);
print(
  table(
    ['path', 'GFLOP/s'],
    [
      [`OpenBLAS (${threads(blasWasm?.blasThreads)}), ${doctorBlas?.blas?.kernels ?? '?'} kernels`, fmt(blasWasm?.matmul1024Gflops, 1)],
      [`XNNPACK, ${threads(blasWasm?.threads)} (same run)`, fmt(blasWasm?.matmul1024XnnpackGflops, 1)],
      [`XNNPACK, ${threads(plainWasm?.threads)} (NEXTX_BLAS=0)`, fmt(plainWasm?.matmul1024Gflops, 1)],
      ['cpu backend', fmt(doctorBlas?.backends.find((b) => b.name === 'cpu')?.matmul1024Gflops, 2)],
    ],
  ),
);
if (!doctorBlas) print(missing('doctor-openblas'));
if (!doctorWasm) print(missing('doctor-wasm'));

// 2. bench core
print('## matMul and conv2d per product path, `nextx bench core --threads 2 --json` (one run)\n');
const core = load('bench-core');
if (core) {
  const wasm = core.results.filter((r) => r.backend === 'wasm');
  const name = (r) => `${r.variant} (${threads(r.threads)})`;
  const figuresOf = (r) => [...r.figures, ...(r.convFigures ?? []).map((f) => ({ ...f, label: `conv2d ${f.label}` }))];
  const keys = figuresOf(wasm[0]).map((f) => ({ label: f.label, pass: f.pass }));
  const value = (r, k) => figuresOf(r).find((f) => f.label === k.label && f.pass === k.pass)?.gflops;
  const comparisons = core.comparisons;
  print(`Sizes: wasm ${core.sizes.wasm}, conv ${core.sizes.conv}²; ${core.blas.detail}. GFLOP/s, median of the repeats; speed-ups in the same run.\n`);
  print(
    table(
      ['shape', 'pass', ...wasm.map(name), ...comparisons.map((c) => `${c.variant} ÷ ${c.against}`)],
      keys.map((k) => [k.label, k.pass, ...wasm.map((r) => fmt(value(r, k), 1)), ...comparisons.map((c) => (c.speedup[`${k.label} ${k.pass}`] ? `${fmt(c.speedup[`${k.label} ${k.pass}`], 2)}×` : '—'))]),
    ),
  );
  print(comparisons.map((c) => `- ${c.variant} ÷ ${c.against}: ${fmt(c.worst, 2)}–${fmt(c.best, 2)}×`).join('\n') + '\n');
  const cpu = core.results.find((r) => r.backend === 'cpu');
  if (cpu) print(`cpu backend (${core.sizes.cpu}³, as shipped): ${fmt(cpu.figures[0]?.gflops, 2)} GFLOP/s forward, ${fmt(cpu.figures[1]?.gflops, 2)} forward+backward.\n`);
} else print(missing('bench-core'));

// 3. VAR generation against the official PyTorch code
print('## VAR generation against the official PyTorch code (same run, same config, PyTorch best of its thread counts)\n');
const pytorchCells = (reference) => {
  const byThreads = (n) => reference?.runs?.find((r) => r.threads === n);
  return [1, 2].map((n) => (byThreads(n) ? `${fmt(byThreads(n).msPerImage)} (CPU ${fmt(byThreads(n).cpuMsPerImage)})` : '—'));
};
const genRows = [];
const depth4 = load('var-depth4');
const d4 = depth4?.results?.find((r) => r.config.startsWith('depth 4'));
if (d4) {
  genRows.push([
    'depth 4 / width 256 (128×128)',
    ...pytorchCells(depth4.pytorch),
    `${fmt(d4.kvCache.msPerImage, 1)} (CPU ${fmt(d4.kvCache.cpuMsPerImage)}), ${threads(depth4?.wasm?.blas?.threads)}`,
    `**${fmt(d4.ratioToPytorchCpu, 2)}×**`,
  ]);
}
const d16 = load('var-d16');
if (d16?.msPerImage) {
  genRows.push([
    'release size: VAR-d16 + VQVAE ch160 (256×256)',
    ...pytorchCells(d16.pytorch),
    `${fmt(d16.msPerImage)} (CPU ${fmt(d16.cpuMsPerImage)}), ${threads(d16?.wasm?.blas?.threads)}; load ${fmt(d16.loadSeconds, 1)} s`,
    `**${fmt(d16.ratioToPytorchCpu, 2)}×**`,
  ]);
}
print(table(['config', 'PyTorch 1 thread: ms/image (CPU ms)', 'PyTorch 2 threads', 'nextx with OpenBLAS: ms/image (CPU ms), threads', 'nextx ÷ PyTorch best'], genRows));
if (!depth4) print(missing('var-depth4'));
if (!d16) print(missing('var-d16'));
if (d16) print(`d16: peak tensor memory ${gb(d16.peakTensorBytes)}, process RSS ${gb(d16.rssBytes)}; PyTorch: ${d16.pytorch?.runs?.[0]?.torch ?? d16.pytorch?.source ?? '?'}, OpenBLAS kernels ${d16.pytorch?.openblasCoretype ?? '?'}.\n`);

// 4. batch limits at d16
print('## Batch limits at d16 (one call generating N images; the wasm heap is at most 4 GiB)\n');
const batchRows = [];
for (const [step, path] of [
  ['var-d16', 'OpenBLAS'],
  ['var-d16-wasm', 'plain wasm (XNNPACK)'],
]) {
  const result = load(step);
  for (const b of result?.batches ?? []) {
    batchRows.push([path, b.images, b.ok ? 'fits' : `**does not fit**: ${b.error}`, b.ok ? fmt(b.msPerImage) : '—', gb(b.heapBytes)]);
  }
  if (!result) batchRows.push([path, '—', missing(step).trim(), '—', '—']);
}
print(table(['path (2 threads)', 'images', 'result', 'ms per image', 'wasm heap after'], batchRows));

// 5. training steps
print('## Training steps, OpenBLAS and XNNPACK alternately step by step (one run each)\n');
const trainRows = [];
for (const [step, what, key] of [
  ['gpt-train-1t', 'byte-GPT (3.42 M), batch 8 × 128', 'stepWithAdamWMs'],
  ['gpt-train-2t', 'byte-GPT (3.42 M), batch 8 × 128', 'stepWithAdamWMs'],
  ['vqvae-train-1t', 'VQVAE (Fashion-MNIST config, 0.99 M)', 'stepMs'],
  ['vqvae-train-2t', 'VQVAE (Fashion-MNIST config, 0.99 M)', 'stepMs'],
]) {
  const result = load(step);
  const of = (variant) => result?.results?.find((r) => r.variant === variant && (r.backend ?? 'wasm') === 'wasm');
  const blas = of('openblas');
  const xnn = of('xnnpack');
  const batch = Array.isArray(result?.batch) ? ` batch ${result.batch[0]}` : '';
  trainRows.push([
    `${what}${step.startsWith('vqvae') ? batch : ''}`,
    step.endsWith('2t') ? '2 + 2 (NEXTX_XNNPACK_THREADS=2)' : '1',
    blas ? fmt(blas[key]) : '—',
    xnn ? fmt(xnn[key]) : '—',
    result ? `**${ratio(xnn?.[key], blas?.[key])}**` : missing(step).trim(),
  ]);
}
print(table(['step (with AdamW)', 'threads (OpenBLAS + XNNPACK)', 'OpenBLAS ms', 'XNNPACK ms', 'speed-up'], trainRows));

print('## Steps\n');
print(table(['step', 'exit', 'seconds', 'command'], steps.map((s) => [s.step, s.rc, s.seconds, `\`${s.command}\``])));
console.log(out.join('\n'));
