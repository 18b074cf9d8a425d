import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NextxError } from '../../src/errors.js';
import type { AllocationBudget} from '../../src/io/allocation-budget.js';
import { budgetFor } from '../../src/io/allocation-budget.js';
import { decodePth } from '../../src/io/pth-read.js';
import { decodeSafetensors, type FileBytes } from '../../src/io/safetensors-read.js';
import type { HostTensor } from '../../src/io/host-tensor.js';
import { Rng } from '../../src/rng/rng.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/var-tiny-a/${name}`, import.meta.url)));
const BOUNDARY_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe];
const MUTANTS = 1000;

type Mutation = (bytes: Uint8Array, rng: Rng) => { bytes: Uint8Array; what: string };

const flipBits: Mutation = (bytes, rng) => {
  const out = bytes.slice();
  const spots = 1 + rng.int(0, 7);
  for (let i = 0; i < spots; i++) {
    // Half of the flips land in the first 4 KiB (headers, pickle), where structure lives.
    const at = rng.uniform() < 0.5 ? rng.int(0, Math.min(4095, out.length - 1)) : rng.int(0, out.length - 1);
    out[at] = (out[at] as number) ^ (1 << rng.int(0, 7));
  }
  return { bytes: out, what: `${spots} bit flips` };
};

const overwriteBoundary: Mutation = (bytes, rng) => {
  const out = bytes.slice();
  const at = rng.uniform() < 0.5 ? rng.int(0, Math.min(4095, out.length - 1)) : rng.int(0, out.length - 1);
  const run = 1 + rng.int(0, 7);
  const value = BOUNDARY_BYTES[rng.int(0, BOUNDARY_BYTES.length - 1)] as number;
  out.fill(value, at, at + run);
  return { bytes: out, what: `${run} bytes at ${at} set to 0x${value.toString(16)}` };
};

const truncate: Mutation = (bytes, rng) => {
  const length = rng.uniform() < 0.5 ? rng.int(0, 600) : rng.int(0, bytes.length - 1);
  return { bytes: bytes.slice(0, length), what: `truncated to ${length} bytes` };
};

/** The last 4 KiB of a zip hold its central directory: sizes, offsets, compression methods. */
const editZipDirectory: Mutation = (bytes, rng) => {
  const out = bytes.slice();
  const at = out.length - 1 - rng.int(0, Math.min(4095, out.length - 1));
  const value = rng.uniform() < 0.5 ? (BOUNDARY_BYTES[rng.int(0, BOUNDARY_BYTES.length - 1)] as number) : rng.int(0, 255);
  out[at] = value;
  return { bytes: out, what: `directory byte ${at} set to ${value}` };
};

function safetensorsJsonEdit(): Mutation {
  return (bytes, rng) => {
    const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + headerLength)).toString()) as Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>;
    const names = Object.keys(header).filter((n) => n !== '__metadata__');
    const entry = header[names[rng.int(0, names.length - 1)] as string]!;
    const choices: Array<[string, () => void]> = [
      ['offset shifted', () => (entry.data_offsets[rng.int(0, 1)] = (entry.data_offsets[0] as number) + rng.int(-64, 64))],
      ['offset huge', () => (entry.data_offsets[1] = 2 ** 53)],
      ['shape scaled', () => (entry.shape[rng.int(0, Math.max(0, entry.shape.length - 1))] = rng.int(0, 1) ? 2 ** 31 : 0)],
      ['shape negative', () => (entry.shape = [-4])],
      ['dtype changed', () => (entry.dtype = ['F16', 'I64', 'BOOL', 'X9', 'F64'][rng.int(0, 4)] as string)],
      ['shape not a list', () => ((entry as unknown as Record<string, unknown>)['shape'] = 'big')],
    ];
    const [what, edit] = choices[rng.int(0, choices.length - 1)]!;
    edit();
    const json = Buffer.from(JSON.stringify(header));
    const keepLengthField = rng.uniform() < 0.2;
    const out = new Uint8Array(8 + json.length + bytes.length - 8 - headerLength);
    new DataView(out.buffer).setBigUint64(0, BigInt(keepLengthField ? headerLength : json.length), true);
    out.set(json, 8);
    out.set(bytes.subarray(8 + headerLength), 8 + json.length);
    return { bytes: out, what: `JSON ${what}${keepLengthField ? ' (stale length)' : ''}` };
  };
}

/** Overwrites one byte of the data.pkl pickle with an arbitrary opcode byte. */
const editPickle: Mutation = (bytes, rng) => {
  const out = bytes.slice();
  const start = Buffer.from(out).indexOf(Buffer.from([0x80, 0x02, 0x63]));
  const at = start + rng.int(0, 1500);
  out[at] = rng.int(0, 255);
  return { bytes: out, what: `pickle byte ${at - start} set to 0x${(out[at] as number).toString(16)}` };
};

function checkDecoded(tensors: Map<string, HostTensor>): void {
  for (const [name, t] of tensors) {
    expect(t.values.length, name).toBe(t.shape.reduce((a, b) => a * b, 1));
  }
}

function fuzz(
  original: Uint8Array,
  mutations: Mutation[],
  decode: (source: FileBytes, budget: AllocationBudget) => Map<string, HostTensor>,
): { refused: number; parsed: number } {
  const rng = Rng.seeded(20261125);
  let refused = 0;
  let parsed = 0;
  const started = performance.now();
  for (let i = 0; i < MUTANTS; i++) {
    const { bytes, what } = (mutations[i % mutations.length] as Mutation)(original, rng);
    const budget = budgetFor(`mutant-${i}`, bytes.length);
    const t0 = performance.now();
    try {
      checkDecoded(decode({ bytes, file: `mutant-${i}` }, budget));
      parsed++;
    } catch (error) {
      if (!(error instanceof NextxError)) throw new Error(`mutant ${i} (${what}) threw ${String(error)}, not a NextxError`);
      refused++;
    }
    // No single buffer larger than the file; no read slower than a generous bound (no hang).
    expect(budget.largest, `mutant ${i} (${what})`).toBeLessThanOrEqual(bytes.length);
    expect(performance.now() - t0, `mutant ${i} (${what}) time`).toBeLessThan(2000);
  }
  expect(performance.now() - started).toBeLessThan(90_000);
  return { refused, parsed };
}

describe('hostile input', () => {
  it(`${MUTANTS} mutated safetensors files each parse to consistent tensors or end in a NextxError`, () => {
    const original = fixture('var.safetensors');
    const { refused, parsed } = fuzz(original, [flipBits, overwriteBoundary, truncate, safetensorsJsonEdit(), safetensorsJsonEdit()], (s, b) =>
      decodeSafetensors(s, b).tensors,
    );
    expect(parsed).toBeGreaterThan(0); // and some survive intact: data-only damage is not a format error
    expect(refused + parsed).toBe(MUTANTS);
    expect(refused).toBeGreaterThan(MUTANTS / 3); // the mutations reach the validation, not only tensor data
  }, 120_000);

  it(`${MUTANTS} mutated .pth archives each parse to consistent tensors or end in a NextxError`, () => {
    const original = fixture('var.pth');
    const { refused, parsed } = fuzz(original, [flipBits, overwriteBoundary, truncate, editZipDirectory, editPickle, editPickle], (s, b) => decodePth(s, b));
    expect(parsed).toBeGreaterThan(0); // and some survive intact: data-only damage is not a format error
    expect(refused + parsed).toBe(MUTANTS);
    expect(refused).toBeGreaterThan(MUTANTS / 3);
  }, 120_000);
});
