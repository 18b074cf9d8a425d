import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadFileBytes, parseSafetensorsHeader } from '@nextx/core';

export type FixtureName = 'arnet-tiny-a' | 'spacetime-tiny-a';

/** A fixture copied from ../shared/fixtures/<name> (weights, cases, config; the spec is its README there). */
export const fixtureDir = (name: FixtureName): string => fileURLToPath(new URL(`../fixtures/${name}/`, import.meta.url));
export const fixtureFile = (name: FixtureName, file: string): string => `${fixtureDir(name)}${file}`;

export function fixtureConfig<T = Record<string, unknown>>(name: FixtureName): T {
  return JSON.parse(readFileSync(fixtureFile(name, 'config.json'), 'utf8')) as T;
}

/** One case tensor in float64 (F64 entries keep their precision; core's readers turn F64 into float32). */
export interface CaseTensor {
  readonly shape: number[];
  readonly values: Float64Array;
}

/** Every tensor of cases.safetensors, decoded here from the raw bytes so that F64 schedule values stay exact. */
export function readCases(name: FixtureName): Map<string, CaseTensor> {
  const source = loadFileBytes(fixtureFile(name, 'cases.safetensors'));
  const header = parseSafetensorsHeader(source);
  const view = new DataView(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength);
  const out = new Map<string, CaseTensor>();
  for (const entry of header.entries) {
    const size = entry.dtype === 'F64' ? 8 : 4;
    if (entry.dtype !== 'F64' && entry.dtype !== 'F32') throw new Error(`unexpected dtype ${entry.dtype} of ${entry.name}`);
    const count = (entry.end - entry.begin) / size;
    const values = new Float64Array(count);
    const start = header.dataStart + entry.begin;
    for (let i = 0; i < count; i++) {
      values[i] = size === 8 ? view.getFloat64(start + 8 * i, true) : view.getFloat32(start + 4 * i, true);
    }
    out.set(entry.name, { shape: [...entry.shape], values });
  }
  return out;
}

export function caseTensor(cases: Map<string, CaseTensor>, name: string): CaseTensor {
  const t = cases.get(name);
  if (!t) throw new Error(`fixture has no tensor '${name}'`);
  return t;
}
