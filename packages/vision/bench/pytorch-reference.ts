/**
 * The official VAR code on PyTorch, run side by side with nextx's benchmarks (bench/pytorch/var_official.py): one
 * Python process per thread count, so that OpenMP and OpenBLAS start with that many threads. Benchmark tooling only;
 * Python and torch are never a runtime dependency.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PytorchRun {
  readonly config: 'depth4' | 'd16';
  readonly threads: number;
  readonly torch: string;
  readonly openblas: { corename?: string; config?: string; error?: string };
  readonly msPerImage: number;
  readonly timesMs: readonly number[];
  /** CPU time of all its threads per image (median): less sensitive to other load than wall time. */
  readonly cpuMsPerImage: number;
}

export interface PytorchReference {
  /** What was run: the checkout, the interpreter and the OpenBLAS kernels it was told to use. */
  readonly code: string;
  readonly python: string;
  readonly openblasCoretype: string;
  readonly runs: readonly PytorchRun[];
  /** The fastest of the runs (the "PyTorch's best of 1 and 2 threads"). */
  readonly bestMsPerImage: number;
  readonly bestThreads: number;
}

export interface PytorchOptions {
  readonly code: string;
  readonly config: 'depth4' | 'd16';
  readonly threads: readonly number[];
  readonly repeats: number;
  readonly dir?: string;
  /**
   * OPENBLAS_CORETYPE for torch's OpenBLAS. Debian 12's 0.3.21 does not recognise every current CPU and then runs
   * its Prescott (SSE3) kernels; passing the set nextx's addon uses (`kernels` of its status) gives both sides the
   * same library and the same kernels. 'auto' leaves OpenBLAS's own choice.
   */
  readonly coretype: string;
  /** The interpreter with torch: default NEXTX_BENCH_PYTHON, else Debian's /usr/bin/python3. */
  readonly python?: string;
}

export function runOfficialVar(options: PytorchOptions): PytorchReference {
  const python = options.python ?? process.env['NEXTX_BENCH_PYTHON'] ?? '/usr/bin/python3';
  const script = new URL('./pytorch/var_official.py', import.meta.url).pathname;
  const scratch = mkdtempSync(join(tmpdir(), 'nextx-pytorch-'));
  const runs: PytorchRun[] = [];
  try {
    for (const threads of options.threads) {
      const out = join(scratch, `${options.config}-${threads}.json`);
      const args = [script, '--code', options.code, '--config', options.config, '--repeats', String(options.repeats), '--out', out];
      if (options.dir) args.push('--dir', options.dir);
      const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
      if (options.coretype === 'auto') delete env['OPENBLAS_CORETYPE'];
      else env['OPENBLAS_CORETYPE'] = options.coretype;
      const result = spawnSync(python, args, { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
      if (result.status !== 0) {
        throw new Error(`the official VAR code failed (${python} ${args.join(' ')}): ${(result.stderr || String(result.error)).trim().split('\n').slice(-3).join(' | ')}`);
      }
      runs.push(JSON.parse(readFileSync(out, 'utf8')) as PytorchRun);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const best = runs.reduce((a, b) => (b.msPerImage < a.msPerImage ? b : a));
  return { code: options.code, python, openblasCoretype: options.coretype, runs, bestMsPerImage: best.msPerImage, bestThreads: best.threads };
}
