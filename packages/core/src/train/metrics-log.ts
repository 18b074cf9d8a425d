import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../io/atomic-file.js';

/** One line of the metrics log. */
export interface StepMetrics {
  /** Optimizer steps completed (1-based). */
  readonly step: number;
  readonly loss: number;
  readonly lr: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
  /** Absent where the trainer was not told how to count tokens (`tokensPerBatch`), e.g. an autoencoder over frames. */
  readonly tokensPerSecond?: number;
  /** Wall time of this step, ms. */
  readonly stepMs: number;
  /** Seconds since the run (or resumed run) started. */
  readonly time: number;
}

/** A JSON-lines file of StepMetrics, one object per line. */
export class MetricsLog {
  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
  }

  /** Starts a fresh log, or (resuming) keeps only the lines up to `step` so a replayed step is not logged twice. */
  reset(keepUpToStep = 0): void {
    const kept = keepUpToStep > 0 ? readMetrics(this.file).filter((m) => m.step <= keepUpToStep) : [];
    writeFileAtomic(this.file, kept.map((m) => `${JSON.stringify(m)}\n`).join(''));
  }

  append(metrics: StepMetrics): void {
    appendFileSync(this.file, `${JSON.stringify(metrics)}\n`);
  }
}

/** Reads a metrics log (missing file: empty; unparsable lines are skipped). */
export function readMetrics(file: string): StepMetrics[] {
  if (!existsSync(file)) return [];
  const out: StepMetrics[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as StepMetrics);
    } catch {
      // a line cut by a crash mid-append carries nothing worth keeping
    }
  }
  return out;
}
