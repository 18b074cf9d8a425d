/**
 * Where a VAR generation's CPU time goes, kernel by kernel: wraps tfjs's engine.runKernel and sums each kernel's
 * process CPU time (all threads, `process.cpuUsage`, so a loaded machine inflates it much less than wall time) over
 * one generation, after warm-ups; the fastest of --runs generations is reported. Prints JSON: total CPU ms, the part
 * inside kernels, and the --top kernels with their call count and their costliest input shapes. The question it
 * answers: with the products on OpenBLAS (@nextx/native-blas), which of the remaining wasm kernels cost the most.
 * A kernel that runs others through the engine (some of nextx's patched ones do) includes their time in its own, so
 * the per-kernel figures can add up to more than the total.
 *
 *   npx tsx packages/vision/bench/var-kernel-profile.ts [--config depth4|d16] [--dir <folder with the d16 files>]
 *       [--runs 3] [--top 18] [--shapes 3] [--xnnpack]        (--xnnpack: products on XNNPACK instead of OpenBLAS)
 */
import { cpus, loadavg } from 'node:os';
import { initBackend, tf, useNativeBlas } from '@nextx/core';
import { parseVarModelConfig } from '../src/var/config.js';
import { generateVarAll } from '../src/var/generate.js';
import { buildVar, loadReleasedVar } from '../src/var/load.js';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const config = option('config') ?? 'depth4';
if (config !== 'depth4' && config !== 'd16') throw new Error(`--config must be depth4 or d16; got '${config}'`);
const dir = option('dir');
if (config === 'd16' && !dir) throw new Error('--config d16 needs --dir <folder with vae_ch160v4096z32.pth and var_d16.pth>');
const runs = Number(option('runs') ?? (config === 'd16' ? 1 : 3));
const top = Number(option('top') ?? 18);
const shapesPerKernel = Number(option('shapes') ?? 3);

const status = await initBackend({ prefer: 'wasm' });
useNativeBlas(!args.includes('--xnnpack'));
const model =
  config === 'd16'
    ? await loadReleasedVar(dir as string, 16)
    : buildVar(
        parseVarModelConfig({
          vqvae: { vocab_size: 4096, z_channels: 32, ch: 32, v_patch_nums: [1, 2, 3, 4, 5, 6, 8] },
          var: { num_classes: 1000, depth: 4, embed_dim: 256, num_heads: 4, patch_nums: [1, 2, 3, 4, 5, 6, 8] },
        }),
        0,
      );
model.vqvae.eval();
model.transformer.eval();
const request = { classes: [3], cfg: 1.5, topK: 900, topP: 0.96 };
for (let i = 0; i < (config === 'd16' ? 1 : 3); i++) await generateVarAll(model, request, { seed: i });

interface KernelCost {
  cpuUs: number;
  calls: number;
  byShapes: Map<string, number>;
}
const costs = new Map<string, KernelCost>();
const engine = tf.engine() as unknown as { runKernel: (name: string, inputs: Record<string, tf.Tensor | undefined>, attrs: unknown) => unknown };
const runKernel = engine.runKernel.bind(engine);
engine.runKernel = (name, inputs, attrs) => {
  const start = process.cpuUsage();
  const result = runKernel(name, inputs, attrs);
  const used = process.cpuUsage(start);
  const cost = costs.get(name) ?? { cpuUs: 0, calls: 0, byShapes: new Map<string, number>() };
  const us = used.user + used.system;
  const shapes = JSON.stringify(Object.values(inputs).map((t) => t?.shape));
  cost.cpuUs += us;
  cost.calls++;
  cost.byShapes.set(shapes, (cost.byShapes.get(shapes) ?? 0) + us);
  costs.set(name, cost);
  return result;
};

let best: { cpuMs: number; wallMs: number; costs: Map<string, KernelCost> } | undefined;
for (let i = 0; i < runs; i++) {
  costs.clear();
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  await generateVarAll(model, request, { seed: i + 1 });
  const used = process.cpuUsage(cpuStart);
  const cpuMs = (used.user + used.system) / 1000;
  if (!best || cpuMs < best.cpuMs) best = { cpuMs, wallMs: performance.now() - wallStart, costs: new Map(costs) };
}
engine.runKernel = runKernel;
model.dispose();

const ms = (us: number) => Math.round(us / 100) / 10;
const kernels = [...(best?.costs ?? [])]
  .sort((a, b) => b[1].cpuUs - a[1].cpuUs)
  .slice(0, top)
  .map(([kernel, cost]) => ({
    kernel,
    cpuMs: ms(cost.cpuUs),
    calls: cost.calls,
    costliestInputShapes: [...cost.byShapes]
      .sort((a, b) => b[1] - a[1])
      .slice(0, shapesPerKernel)
      .map(([shapes, us]) => ({ shapes: JSON.parse(shapes) as unknown, cpuMs: ms(us) })),
  }));
console.log(
  JSON.stringify(
    {
      bench: 'var-kernel-profile',
      config,
      products: args.includes('--xnnpack') || !status.blas?.active ? 'xnnpack' : 'openblas',
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadAverage: loadavg() },
      wasm: { xnnpackThreads: status.wasmThreads, blas: status.blas },
      wallMs: Math.round(best?.wallMs ?? NaN),
      cpuMs: Math.round(best?.cpuMs ?? NaN),
      cpuMsInKernels: ms([...(best?.costs.values() ?? [])].reduce((sum, c) => sum + c.cpuUs, 0)),
      kernels,
    },
    null,
    2,
  ),
);
