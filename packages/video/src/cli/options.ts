import { InputError } from '@nextx/core';
import type { Sampling } from '../generate/sampling.js';

/** A CLI option as an integer in [min, max], or undefined when absent. */
export function intOption(flag: string, value: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InputError(`${flag} must be an integer in [${min}, ${max}]; got '${String(value)}'`);
  return n;
}

/** A CLI option as a number in [min, max], or undefined when absent. */
export function numberOption(flag: string, value: unknown, min = -Infinity, max = Infinity): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new InputError(`${flag} must be a number in [${min}, ${max}]; got '${String(value)}'`);
  return n;
}

/** One of `choices`, or undefined when absent. */
export function choiceOption<T extends string>(flag: string, value: unknown, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!choices.includes(value as T)) throw new InputError(`${flag} must be one of ${choices.join(', ')}; got '${String(value)}'`);
  return value as T;
}

/** `--sampler` / `--steps` over a model's sampling, or undefined when neither is given (the model's own). */
export function samplingOptions(options: Readonly<Record<string, unknown>>, defaults: Sampling): Sampling | undefined {
  const steps = intOption('--steps', options['steps'], 1, 1000);
  const sampler = choiceOption('--sampler', options['sampler'], ['flow-euler', 'flow-renoise'] as const);
  if (steps === undefined && sampler === undefined) return undefined;
  return { ...defaults, ...(steps === undefined ? {} : { steps }), ...(sampler === undefined ? {} : { sampler }) };
}
