import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { readWeights, tf, type EntropyProfile } from '@nextx/core';

/** The cobit-tiny-a reference fixture (copied from ../shared/fixtures/cobit-tiny-a): weights, cases and config. */
export const COBIT_FIXTURE_DIR = fileURLToPath(new URL('../fixtures/cobit-tiny-a/', import.meta.url));
export const cobitFixtureFile = (name: string): string => `${COBIT_FIXTURE_DIR}${name}`;
export const WEIGHT_FORMATS = ['safetensors', 'pth'] as const;

export interface FixtureRun {
  readonly tag: string;
  readonly sc: 'carry' | 'refined';
  readonly ati: number;
  readonly stochastic: boolean;
  readonly gamma_target?: number;
  readonly s_noise?: number;
  readonly qlo?: number;
  readonly qhi?: number;
  readonly n_calls: number;
}

export interface CobitFixtureConfig {
  readonly cfg: Record<string, unknown>;
  readonly derived: { readonly V: number; readonly S: number; readonly T: number; readonly bits_per_token: number; readonly n_params: number };
  readonly fixture_settings: {
    readonly terminal_sigma: number;
    readonly blend: number;
    readonly schedule_N: readonly number[];
    readonly real_N: readonly number[];
    readonly sampler_B: number;
    readonly sampler_num_steps: number;
    readonly runs: readonly FixtureRun[];
    readonly profile: { readonly K: number; readonly c: number; readonly n: number };
  };
  readonly notes: { readonly codec: { readonly unk_id_semantic: number } };
}

export function readFixtureConfig(): CobitFixtureConfig {
  return JSON.parse(readFileSync(cobitFixtureFile('config.json'), 'utf8')) as CobitFixtureConfig;
}

export function readCases(): Record<string, tf.Tensor> {
  return readWeights(cobitFixtureFile('cases.safetensors'));
}

export function caseOf(cases: Record<string, tf.Tensor>, name: string): tf.Tensor {
  const t = cases[name];
  if (!t) throw new Error(`fixture tensor ${name} missing`);
  return t;
}

export function profileOf(cases: Record<string, tf.Tensor>, prefix: 'profile' | 'real'): EntropyProfile {
  const table = (name: string) => Float32Array.from(caseOf(cases, `${prefix}.${name}`).dataSync());
  return { pdf: table('pdf'), cdf: table('cdf'), sigmas: table(prefix === 'profile' ? 'mids' : 'sigmas'), edges: table('edges') };
}

/**
 * The fixture README's tolerance (section 13): |err| ≤ tol·max(1, max|ref|) for every element of a float tensor —
 * 1e-4 for the forward pass, loss, profile and schedules; 1e-3 for sampler states; 2e-2 for sampler logits.
 */
export function expectClose(actual: tf.Tensor | ArrayLike<number>, expected: tf.Tensor, tol: number, what: string): void {
  const a = actual instanceof tf.Tensor ? actual.dataSync() : actual;
  const e = expected.dataSync();
  if (actual instanceof tf.Tensor) expect(actual.size, `${what}: size`).toBe(expected.size);
  else expect(a.length, `${what}: size`).toBe(e.length);
  let refMax = 0;
  for (let i = 0; i < e.length; i++) refMax = Math.max(refMax, Math.abs(e[i] as number));
  const bound = tol * Math.max(1, refMax);
  let worst = 0;
  let at = 0;
  for (let i = 0; i < e.length; i++) {
    const d = Math.abs((a[i] as number) - (e[i] as number));
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  expect(worst, `${what}: element ${at} is ${a[at]}, expected ${e[at]} (bound ${bound})`).toBeLessThanOrEqual(bound);
}

export function expectExact(actual: tf.Tensor | ArrayLike<number>, expected: tf.Tensor, what: string): void {
  const a = actual instanceof tf.Tensor ? Array.from(actual.dataSync()) : Array.from(actual);
  expect(a, what).toEqual(Array.from(expected.dataSync()));
}
