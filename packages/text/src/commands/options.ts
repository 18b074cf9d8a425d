import { InputError } from '@nextx/core';

export function intOption(flag: string, value: unknown, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InputError(`${flag} must be an integer ≥ ${min}; got '${String(value)}'`);
  return n;
}

export function numberOption(flag: string, value: unknown, check: (n: number) => boolean, expected: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new InputError(`${flag} must be ${expected}; got '${String(value)}'`);
  return n;
}

export function optionalInt(flag: string, value: unknown, min = 0): number | undefined {
  return value === undefined ? undefined : intOption(flag, value, min);
}

export function listOption(value: unknown): string[] {
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function stringOption(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
