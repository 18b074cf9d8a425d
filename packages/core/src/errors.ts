/** Every failure nextx reports on purpose is a NextxError with a stable code. */
export type NextxErrorCode =
  | 'CONFIG'
  | 'CHECKPOINT'
  | 'BACKEND'
  | 'PLUGIN'
  | 'INPUT'
  | 'TRAINING'
  | 'ABORTED';

export class NextxError extends Error {
  constructor(
    readonly code: NextxErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One issue of a config: where (zod path), what was given, what was expected. */
export interface ConfigIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly received?: unknown;
}

export class ConfigError extends NextxError {
  constructor(
    readonly what: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super('CONFIG', formatConfigIssues(what, issues));
  }
  /** The zod path of the first issue, e.g. `['var', 'depth']`. */
  get path(): readonly (string | number)[] {
    return this.issues[0]?.path ?? [];
  }
}

function formatConfigIssues(what: string, issues: readonly ConfigIssue[]): string {
  const lines = issues.map((issue) => {
    const where = issue.path.length ? issue.path.join('.') : '(root)';
    const got = 'received' in issue ? `; got ${preview(issue.received)}` : '';
    return `  - ${where}: ${issue.message}${got}`;
  });
  return `Invalid ${what}:\n${lines.join('\n')}`;
}

function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value); // JSON would say null
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A checkpoint, weights file or data file that cannot be read: names the file and, where known, the byte offset. */
export class CheckpointError extends NextxError {
  constructor(
    readonly file: string,
    detail: string,
    readonly offset?: number,
    options?: { cause?: unknown },
  ) {
    super('CHECKPOINT', `${file}${offset === undefined ? '' : ` (byte ${offset})`}: ${detail}`, options);
  }
}

export class BackendError extends NextxError {
  constructor(
    readonly backend: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super('BACKEND', `backend '${backend}': ${detail}`, options);
  }
}

export class PluginError extends NextxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PLUGIN', message, options);
  }
}

/** Bad input data or arguments (shapes, ranges, files) that are not a config. */
export class InputError extends NextxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INPUT', message, options);
  }
}

/** Training stopped on purpose, e.g. a non-finite loss; `lastGoodCheckpoint` says what was kept. */
export class TrainingError extends NextxError {
  constructor(
    message: string,
    readonly step: number,
    readonly lastGoodCheckpoint?: string,
  ) {
    super('TRAINING', message);
  }
}

export class AbortError extends NextxError {
  constructor(message = 'aborted') {
    super('ABORTED', message);
  }
}

/** Throws AbortError when the signal has fired; call between units of work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(typeof signal.reason === 'string' ? signal.reason : 'aborted');
}
