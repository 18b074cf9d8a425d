import { fileURLToPath } from 'node:url';
import type { tf} from '@nextx/core';
import { readWeights } from '@nextx/core';

/** The var-tiny-a reference fixture (copied from ../shared/fixtures/var-tiny-a): weights, cases and config. */
export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/var-tiny-a/', import.meta.url));
export const fixtureFile = (name: string): string => `${FIXTURE_DIR}${name}`;

export type WeightsFormat = 'safetensors' | 'pth';
export const WEIGHT_FORMATS: readonly WeightsFormat[] = ['safetensors', 'pth'];

export async function readCases(): Promise<Record<string, tf.Tensor>> {
  return await readWeights(fixtureFile('cases.safetensors'));
}
