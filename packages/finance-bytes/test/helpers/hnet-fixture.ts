import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { readWeights, tf } from '@nextx/core';
import type { HNetConfigInput } from '../../src/index.js';

/** hnet-chunk-a (copied from ../shared/fixtures/hnet-chunk-a): weights, cases and the fixture's own config. */
export const HNET_DIR = fileURLToPath(new URL('../fixtures/hnet-chunk-a/', import.meta.url));

export interface HNetFixtureConfig {
  /** The official HNetConfig fields (the model's own schema checks them). */
  readonly hnet_config: HNetConfigInput;
  readonly dims: { B: number; L: number; lengths: number[]; D0: number; D1: number; M: number; vocab: number };
  readonly ratio_N: [number, number];
  readonly ratio_alpha_in_full_grad: number;
  readonly stream_prefill: number;
}

export function readFixtureConfig(): HNetFixtureConfig {
  return JSON.parse(readFileSync(`${HNET_DIR}config.json`, 'utf8')) as HNetFixtureConfig;
}

export function readHNetCases(): Record<string, tf.Tensor> {
  return readWeights(`${HNET_DIR}cases.safetensors`);
}

/** README 7: `f32` tensors within 1e-4 · max(1, max|ref|). */
export function expectF32(actual: tf.Tensor, expected: tf.Tensor, what: string, scale: 'f32' | 'grad' = 'f32'): void {
  expect(actual.shape, `${what}: shape`).toEqual(expected.shape);
  const a = actual.dataSync();
  const e = expected.dataSync();
  let maxRef = 0;
  for (const v of e) maxRef = Math.max(maxRef, Math.abs(v));
  const tol = 1e-4 * (scale === 'grad' ? maxRef : Math.max(1, maxRef));
  let worst = 0;
  let at = 0;
  for (let i = 0; i < e.length; i++) {
    const d = Math.abs((a[i] as number) - (e[i] as number));
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  expect(worst, `${what}: element ${at} is ${a[at]}, expected ${e[at]} (tolerance ${tol})`).toBeLessThanOrEqual(tol);
}

/** README 7 `exact`: masks, orders, indices and lengths equal. */
export function expectExact(actual: tf.Tensor | ArrayLike<number>, expected: tf.Tensor, what: string): void {
  const a = actual instanceof tf.Tensor ? Array.from(actual.dataSync()) : Array.from(actual);
  expect(a, what).toEqual(Array.from(expected.dataSync()));
}
