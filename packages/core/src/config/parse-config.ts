import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.js';

/**
 * Parses `value` with `schema` or throws one ConfigError naming every bad field, its value and what was expected.
 * `what` names the config in the message ("VAR config", "sampler 'top-p'", a file path, ...).
 */
export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigError(
    what,
    result.error.issues.map((issue) => {
      const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
      return { path, message: issue.message, ...received(issue, path, value) };
    }),
  );
}

/**
 * What the issue's field was given. A refinement's own issue (superRefine's ctx.addIssue without an `input`) carries
 * the whole object it refined, not the field its path names: that field is looked up in the value instead, and left
 * out when the value does not hold it (a default was filled in).
 */
function received(issue: z.core.$ZodIssue, path: readonly (string | number)[], value: unknown): Pick<ConfigIssue, 'received'> {
  if (!('input' in issue)) return {};
  if (issue.code === 'custom' && path.length > 0 && isRecord(issue.input)) {
    const field = fieldAt(value, path);
    return field.found ? { received: field.value } : {};
  }
  return { received: issue.input };
}

function isRecord(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

function fieldAt(value: unknown, path: readonly (string | number)[]): { found: boolean; value?: unknown } {
  let at: unknown = value;
  for (const key of path) {
    if (typeof at !== 'object' || at === null || !(key in at)) return { found: false };
    at = (at as Record<string | number, unknown>)[key];
  }
  return { found: true, value: at };
}
