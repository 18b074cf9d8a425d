import { resolve } from 'node:path';
import type { CliContext } from '../contracts/plugin.js';
import { ensureWritableDir } from '../io/output-dir.js';
import { createProgressDisplay, type ProgressDisplay } from './progress-display.js';

export interface GlobalOptions {
  readonly json: boolean;
  readonly backend: string;
  readonly out: string;
  /** `--threads`, as given (validated when the backend starts). */
  readonly threads?: string;
}

export interface RunningContext extends CliContext {
  readonly progress: ProgressDisplay;
  /**
   * Creates (if needed) and returns `<out>/<sub>`, after checking that it is a writable directory (an InputError
   * naming `--out` otherwise): commands that write call it before any work.
   */
  outDir(sub?: string): string;
  /** Prints a result: JSON on stdout with `--json`, else the human form. */
  print(value: unknown, human: () => string): void;
  close(): void;
}

/**
 * The context every command runs in. Ctrl-C aborts the signal (work stops at its next check and keeps the last good
 * state); a second Ctrl-C exits at once.
 */
export function createCliContext(options: GlobalOptions): RunningContext {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nnextx: interrupted, stopping at the next safe point (Ctrl-C again to quit now)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const progress = createProgressDisplay({ json: options.json });
  const out = resolve(options.out);
  return {
    out,
    json: options.json,
    signal: controller.signal,
    onProgress: progress.listener,
    progress,
    log: (message) => {
      if (!options.json) process.stderr.write(`${message}\n`);
    },
    outDir(sub) {
      return ensureWritableDir(sub ? resolve(out, sub) : out, '--out');
    },
    print(value, human) {
      process.stdout.write(options.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
    close() {
      progress.stop();
      process.off('SIGINT', onSigint);
    },
  };
}
