import type { DependencyContainer } from 'tsyringe';
import type { ProgressListener } from './events.js';

/** What a plugin may do to the container: tsyringe's own registration API, under string tokens. */
export type PluginContainer = Pick<DependencyContainer, 'register' | 'registerInstance' | 'isRegistered' | 'resolve'>;

/** What the CLI hands a plugin command. */
export interface CliContext {
  /** Output directory (created by the CLI). */
  readonly out: string;
  /** `--json`: print machine-readable results only. */
  readonly json: boolean;
  readonly signal: AbortSignal;
  readonly onProgress: ProgressListener;
  log(message: string): void;
}

export interface CliOption {
  /** commander syntax: `--classes <list>`, `--cfg <number>`, `--greedy`. */
  readonly flags: string;
  readonly description: string;
  readonly defaultValue?: string | boolean;
}

/** A CLI verb a plugin implements for one of its registered names (`nextx generate vision/var ...`). */
export interface PluginCommand {
  readonly description: string;
  readonly options: readonly CliOption[];
  /** Returns a JSON-serialisable summary, printed with `--json`. */
  run(options: Readonly<Record<string, unknown>>, context: CliContext): Promise<unknown>;
}

export type PluginVerb = 'generate' | 'train' | 'eval';

/** What a demo wrote, for the CLI to list. */
export interface DemoResult {
  readonly summary: string;
  readonly files: readonly string[];
}

/** The one object a domain package exports (ARCHITECTURE rule 4). */
export interface Plugin {
  readonly name: string;
  readonly version: string;
  readonly domain: string;
  /** CONTRACT_VERSION of @nextx/core the plugin was written against. */
  readonly contractVersion: number;
  register(container: PluginContainer): void;
  /** Verb → registered name → command. */
  readonly commands?: Partial<Record<PluginVerb, Readonly<Record<string, PluginCommand>>>>;
  /** `nextx demo` runs this and writes into `context.out`. */
  demo?(context: CliContext): Promise<DemoResult>;
}
