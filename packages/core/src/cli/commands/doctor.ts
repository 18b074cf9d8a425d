import { Command } from 'commander';
import { doctorReport, type DoctorReport } from '../../backend/doctor.js';
import { formatTable } from '../format-table.js';
import { backendPreference, runAction, threadsOption } from '../run-action.js';

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('which tensor backends load here, why the others do not, and their measured 1024³ matMul GFLOP/s')
    .option('--no-measure', 'skip the matMul measurement')
    .action(async (options: { measure: boolean }, command: Command) =>
      runAction(command, async (context, globals) => {
        const threads = threadsOption(globals);
        const report = await doctorReport({ prefer: backendPreference(globals), measure: options.measure, ...(threads ? { wasmThreads: threads } : {}) });
        context.print(report, () => describeDoctor(report));
      }),
    );
}

function describeDoctor(report: DoctorReport): string {
  const rows = report.backends.map((b) => [
    `${b.name}${engine(b)}${b.name === report.active ? ' (active)' : ''}`,
    b.available ? 'yes' : `no: ${b.reason ?? ''}`,
    b.matmul1024Gflops === undefined ? '' : `${b.matmul1024Gflops}${b.matmul1024XnnpackGflops === undefined ? '' : ` (XNNPACK ${b.matmul1024XnnpackGflops})`}`,
    b.detail ?? '',
  ]);
  const head = `nextx doctor: node ${report.node}, tfjs ${report.tfjs}, ${report.cpus} cpus`;
  const blas = report.blas.active
    ? `native-blas: active — wasm's matMul and conv2d run on ${report.blas.detail}`
    : `native-blas: not used (${report.blas.reason}) — ${report.blas.detail}; wasm's products run on XNNPACK`;
  return `${head}\n${formatTable(['backend', 'available', 'GFLOP/s 1024³', 'detail'], rows)}\n${blas}`;
}

/** How the wasm figure was made: OpenBLAS with its threads, or XNNPACK's threads when more than one. */
function engine(b: DoctorReport['backends'][number]): string {
  if (b.blasThreads !== undefined) return ` (OpenBLAS, ${b.blasThreads} thread${b.blasThreads > 1 ? 's' : ''})`;
  return b.threads && b.threads > 1 ? ` (${b.threads} threads)` : '';
}
