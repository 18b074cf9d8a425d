import { InputError } from '@nextx/core';

export function integerOption(flag: string, value: unknown, min = 0): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InputError(`${flag} must be an integer ≥ ${min}; got '${String(value)}'`);
  return n;
}

export function numberOption(flag: string, value: unknown, min = 0): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new InputError(`${flag} must be a number ≥ ${min}; got '${String(value)}'`);
  return n;
}

/** Comma-separated accelerations such as 4,8. */
export function accelerationList(flag: string, value: unknown): number[] {
  const parts = String(value).split(',').map((p) => p.trim());
  const out = parts.map(Number);
  if (!parts.length || out.some((r, i) => parts[i] === '' || !Number.isFinite(r) || r <= 1)) throw new InputError(`${flag} must list accelerations above 1 such as 4,8; got '${String(value)}'`);
  return out;
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
