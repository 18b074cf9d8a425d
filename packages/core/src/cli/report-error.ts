import { NextxError } from '../errors.js';

/**
 * One readable paragraph for a failed command: the NextxError message (it names the file, field or offset), or the
 * plain message of anything else. Stack traces only with NEXTX_DEBUG=1.
 */
export function formatCliError(error: unknown): string {
  if (process.env['NEXTX_DEBUG'] === '1' && error instanceof Error && error.stack) return error.stack;
  if (error instanceof NextxError) return `nextx: ${error.message}`;
  if (error instanceof Error && isWasmRuntimeError(error)) {
    return (
      `nextx: the wasm backend failed (${error.message}); most often its 4 GiB heap is exhausted: use a smaller batch ` +
      `or model, or the native or cuda backend (set NEXTX_DEBUG=1 for the stack trace)`
    );
  }
  if (error instanceof Error) return `nextx: unexpected ${error.name}: ${error.message} (set NEXTX_DEBUG=1 for the stack trace)`;
  return `nextx: ${String(error)}`;
}

/** A trap of a wasm module (the build's lib has no WebAssembly types; Node always has the global). */
function isWasmRuntimeError(error: Error): boolean {
  const wasm = (globalThis as unknown as { WebAssembly?: { RuntimeError: abstract new () => Error } }).WebAssembly;
  return wasm !== undefined && error instanceof wasm.RuntimeError;
}

/** Exit codes: 1 bad input or failed work, 130 interrupted (128 + SIGINT), as shells expect. */
export function exitCodeFor(error: unknown): number {
  return error instanceof NextxError && error.code === 'ABORTED' ? 130 : 1;
}

/** The `error` object printed under `--json`. */
export interface JsonError {
  readonly name: string;
  readonly message: string;
  /** NextxError code (`CONFIG`, `CHECKPOINT`, `INPUT`, …) or commander's (`commander.unknownOption`, …). */
  readonly code?: string;
  readonly [field: string]: unknown;
}

const ERROR_FIELDS = ['file', 'offset', 'issues', 'backend', 'step', 'lastGoodCheckpoint'] as const;

/**
 * A failed command as JSON, `{"error": {"name", "message", "code", …}}`: with `--json` it is printed on stdout (where
 * a result would have been) instead of the paragraph on stderr. The fields that locate the problem (file, offset,
 * zod issues, backend, step) come along when the error has them.
 */
export function jsonError(error: unknown): { error: JsonError } {
  if (!(error instanceof Error)) return { error: { name: 'Error', message: String(error) } };
  const fields: Record<string, unknown> = {};
  const source = error as unknown as Record<string, unknown>;
  for (const key of ERROR_FIELDS) if (source[key] !== undefined) fields[key] = source[key];
  const code = typeof source['code'] === 'string' ? { code: source['code'] } : {};
  const stack = process.env['NEXTX_DEBUG'] === '1' && error.stack ? { stack: error.stack } : {};
  return { error: { name: error.name, message: error.message, ...code, ...fields, ...stack } };
}
