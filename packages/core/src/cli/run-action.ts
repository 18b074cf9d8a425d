import type { Command } from 'commander';
import { describeBackend, initBackend, type BackendStatus } from '../backend/init-backend.js';
import { BACKEND_PREFERENCES, type BackendPreference } from '../backend/backend-name.js';
import { InputError } from '../errors.js';
import { parseThreadCount } from '../backend/wasm/wasm-threads.js';
import { createCliContext, type GlobalOptions, type RunningContext } from './cli-context.js';
import { exitCodeFor, formatCliError, jsonError } from './report-error.js';

/** Global options of the command, as validated values. */
export function globalOptions(command: Command): GlobalOptions {
  const all = command.optsWithGlobals<{ json?: boolean; backend?: string; out?: string; threads?: string }>();
  return { json: all.json === true, backend: all.backend ?? 'auto', out: all.out ?? './out', ...(all.threads === undefined ? {} : { threads: all.threads }) };
}

export function backendPreference(options: GlobalOptions): BackendPreference {
  if (!(BACKEND_PREFERENCES as readonly string[]).includes(options.backend)) {
    throw new InputError(`--backend must be one of ${BACKEND_PREFERENCES.join(', ')}; got '${options.backend}'`);
  }
  return options.backend as BackendPreference;
}

/** `--threads` as a validated count, if given. */
export function threadsOption(options: GlobalOptions): number | undefined {
  return options.threads === undefined ? undefined : parseThreadCount(options.threads, '--threads');
}

/** Selects the tensor backend named by `--backend` and reports it on stderr (not under --json). */
export async function selectBackend(context: RunningContext, options: GlobalOptions): Promise<BackendStatus> {
  const threads = threadsOption(options);
  const status = await initBackend({ prefer: backendPreference(options), ...(threads === undefined ? {} : { wasmThreads: threads }) });
  context.log(`backend: ${describeBackend(status)}`);
  return status;
}

/** Reports a failed command: one paragraph on stderr, or with `--json` an `{"error": …}` object on stdout. */
export function reportFailure(error: unknown, json: boolean): void {
  if (json) process.stdout.write(`${JSON.stringify(jsonError(error), null, 2)}\n`);
  else process.stderr.write(`${formatCliError(error)}\n`);
  process.exitCode = exitCodeFor(error);
}

/**
 * Runs a command body with a context; any error is reported (reportFailure) with a non-zero exit code (130 when
 * interrupted).
 */
export async function runAction(
  command: Command,
  body: (context: RunningContext, options: GlobalOptions) => Promise<void>,
): Promise<void> {
  let context: RunningContext | undefined;
  const options = globalOptions(command);
  try {
    context = createCliContext(options);
    await body(context, options);
  } catch (error) {
    context?.progress.stop();
    reportFailure(error, options.json);
  } finally {
    context?.close();
  }
}
