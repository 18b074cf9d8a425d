import { Command, InvalidArgumentError } from 'commander';
import { benchCore, type CoreBench } from '../../backend/matmul-bench.js';
import { InputError } from '../../errors.js';
import { formatTable } from '../format-table.js';
import { runAction, threadsOption } from '../run-action.js';

const integerAtLeast = (flag: string, min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} must be an integer ≥ ${min}; got '${value}'`);
  return n;
};

export function benchCommand(): Command {
  return new Command('bench')
    .description(
      "benchmarks; 'core': matMul GFLOP/s (2-D, transposed, attention-shaped; forward and backward) per backend, and on wasm conv2d, " +
        'each product variant (OpenBLAS where @nextx/native-blas loads, XNNPACK routing, tfjs as shipped) with speed-ups measured in one run',
    )
    .argument('<target>', "what to benchmark: 'core'")
    .option('--wasm-size <n>', 'matMul size on wasm', integerAtLeast('--wasm-size', 16), 1024)
    .option('--cpu-size <n>', 'matMul size on cpu (the cpu backend is ~100× slower)', integerAtLeast('--cpu-size', 16), 256)
    .option('--conv-size <n>', 'image size of the conv2d shapes on wasm', integerAtLeast('--conv-size', 4), 32)
    .option('--repeats <n>', 'timed repeats per figure (median reported)', integerAtLeast('--repeats', 1), 3)
    .action(async (target: string, options: { wasmSize: number; cpuSize: number; convSize: number; repeats: number }, command: Command) =>
      runAction(command, async (context, globals) => {
        if (target !== 'core') {
          throw new InputError(`unknown bench target '${target}'; core has 'core' (domain benchmarks live in each package's bench/)`);
        }
        context.log('measuring matMul on each available backend…');
        const threads = threadsOption(globals);
        const result = await benchCore({ ...options, ...(threads ? { wasmThreads: threads } : {}) });
        context.print(result, () => describeBench(result));
      }),
    );
}

function describeBench(bench: CoreBench): string {
  const blas = bench.blas.active ? `OpenBLAS: ${bench.blas.detail}` : `OpenBLAS not used (${bench.blas.reason}): ${bench.blas.detail}`;
  const head = `${bench.machine.cpus} cpus, load average ${bench.machine.loadAverage.join(' ')}; ${blas}`;
  const variants = bench.results.map((r) => {
    const rows = r.figures.map((f) => {
      const key = `${f.label} ${f.pass}`;
      return [f.label, f.pass, f.gflops, f.msMedian, r.ratioToSquare2d[key] ?? '', r.ratioToReference2d[key] ?? ''];
    });
    for (const f of r.convFigures ?? []) rows.push([`conv2d ${f.label}`, f.pass, f.gflops, f.msMedian, '', '']);
    const header = ['shape', 'pass', 'GFLOP/s', 'ms', '÷ square 2-D', '÷ same-size 2-D'];
    const threads = `${r.threads} thread${r.threads > 1 ? 's' : ''}`;
    return `${r.backend} (${r.variant}, ${threads}), worst ÷ same-size 2-D: ${r.worstRatioToReference2d}\n${formatTable(header, rows)}`;
  });
  const comparisons = bench.comparisons.map((c) => {
    const rows = Object.entries(c.speedup).map(([key, ratio]) => [key, ratio]);
    return `${c.variant} ÷ ${c.against}: ${c.worst}–${c.best}× the GFLOP/s\n${formatTable(['shape and pass', 'speed-up'], rows)}`;
  });
  return [head, ...variants, ...comparisons].join('\n\n');
}
