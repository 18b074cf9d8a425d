import { cpus } from 'node:os';
import { tf } from '../tf.js';
import type { BackendName } from './backend-name.js';
import { activeBackend, initBackend, listBackends } from './init-backend.js';
import type { BackendCandidate } from './probe.js';
import { measureMatmul } from './matmul-bench.js';
import type { BlasStatus } from './blas-status.js';
import { blasStatus, setBlasEnabled } from './wasm/native-blas.js';

export interface DoctorBackend extends BackendCandidate {
  /** Measured 1024³ matMul GFLOP/s, for available backends. */
  readonly matmul1024Gflops?: number;
  /** XNNPACK threads the wasm figure was measured with. */
  readonly threads?: number;
  /** wasm with @nextx/native-blas: the figure above is OpenBLAS's, on this many threads... */
  readonly blasThreads?: number;
  /** ...and this is XNNPACK's (the path without the addon), measured in the same run. */
  readonly matmul1024XnnpackGflops?: number;
}

export interface DoctorReport {
  readonly active: BackendName | undefined;
  readonly backends: readonly DoctorBackend[];
  readonly tfjs: string;
  readonly node: string;
  readonly cpus: number;
  /** Whether the wasm backend's products run on OpenBLAS, or exactly why not. */
  readonly blas: BlasStatus;
}

/** `nextx doctor`: which backends load, why the others do not, the active one, and measured matMul speed. */
export async function doctorReport(
  options: { prefer?: 'auto' | BackendName; measure?: boolean; wasmThreads?: number } = {},
): Promise<DoctorReport> {
  const candidates = await listBackends();
  const backends: DoctorBackend[] = [];
  for (const candidate of candidates) {
    if (!candidate.available || options.measure === false) {
      backends.push(candidate);
      continue;
    }
    const status = await initBackend({ prefer: candidate.name, ...(options.wasmThreads ? { wasmThreads: options.wasmThreads } : {}) });
    const figure = measureMatmul(SQUARE, 'forward', 3);
    backends.push({
      ...candidate,
      matmul1024Gflops: figure.gflops,
      ...(status.wasmThreads ? { threads: status.wasmThreads } : {}),
      ...(status.blas?.active ? { blasThreads: status.blas.threads, matmul1024XnnpackGflops: measureWithoutBlas() } : {}),
    });
  }
  await initBackend({ prefer: options.prefer ?? 'auto' });
  return { active: activeBackend(), backends, tfjs: tf.version.tfjs, node: process.version, cpus: cpus().length, blas: await blasStatus() };
}

const SQUARE = { label: '1024³', m: 1024, k: 1024, n: 1024 };

function measureWithoutBlas(): number {
  setBlasEnabled(false);
  try {
    return measureMatmul(SQUARE, 'forward', 3).gflops;
  } finally {
    setBlasEnabled(true);
  }
}
