import { Command, InvalidArgumentError } from 'commander';
import { benchCore, type CoreBench } from '../../backend/matmul-bench.js';
import { InputError } from '../../errors.js';
import { formatTable } from '../format-table.js';
import { runAction } from '../run-action.js';

const integerAtLeast = (flag: string, min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} must be an integer ≥ ${min}; got '${value}'`);
  return n;
};

export function benchCommand(): Command {
  return new Command('bench')
    .description("benchmarks; 'core': matMul GFLOP/s (2-D, transposed, attention-shaped; forward and backward) per backend")
    .argument('<target>', "what to benchmark: 'core'")
    .option('--wasm-size <n>', 'matMul size on wasm', integerAtLeast('--wasm-size', 16), 1024)
    .option('--cpu-size <n>', 'matMul size on cpu (the cpu backend is ~100× slower)', integerAtLeast('--cpu-size', 16), 256)
    .option('--repeats <n>', 'timed repeats per figure (median reported)', integerAtLeast('--repeats', 1), 3)
    .action(async (target: string, options: { wasmSize: number; cpuSize: number; repeats: number }, command: Command) =>
      runAction(command, async (context) => {
        if (target !== 'core') {
          throw new InputError(`unknown bench target '${target}'; core has 'core' (domain benchmarks live in each package's bench/)`);
        }
        context.log('measuring matMul on each available backend…');
        const result = await benchCore(options);
        context.print(result, () => describeBench(result));
      }),
    );
}

function describeBench(bench: CoreBench): string {
  return bench.results
    .map((r) => {
      const rows = r.figures.map((f) => {
        const key = `${f.label} ${f.pass}`;
        return [f.label, f.pass, f.gflops, f.msMedian, r.ratioToSquare2d[key] ?? '', r.ratioToReference2d[key] ?? ''];
      });
      const header = ['shape', 'pass', 'GFLOP/s', 'ms', '÷ square 2-D', '÷ same-size 2-D'];
      return `${r.backend} (${r.variant}), worst ÷ same-size 2-D: ${r.worstRatioToReference2d}\n${formatTable(header, rows)}`;
    })
    .join('\n\n');
}
