import type { z } from 'zod';
import { ConfigError } from '../errors.js';

/**
 * Parses `value` with `schema` or throws one ConfigError naming every bad field, its value and what was expected.
 * `what` names the config in the message ("VAR config", "sampler 'top-p'", a file path, ...).
 */
export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigError(
    what,
    result.error.issues.map((issue) => ({
      path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
      message: issue.message,
      ...('input' in issue ? { received: issue.input } : {}),
    })),
  );
}
