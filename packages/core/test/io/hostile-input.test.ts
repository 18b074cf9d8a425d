import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NextxError } from '../../src/errors.js';
import { budgetFor, type AllocationBudget } from '../../src/io/allocation-budget.js';
import { decodePth } from '../../src/io/pth-read.js';
import { decodeSafetensors, type FileBytes } from '../../src/io/safetensors-read.js';
import { readStoredZip } from '../../src/io/zip-archive.js';
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

/**
 * Where a refusal must point: its message starts with the file's name and gives a byte offset inside the file, or
 * quotes a name the original archive holds (a tensor, a zip entry, a storage key), or quotes a field as the damaged
 * file stores it (a zip entry name whose length field was hit: the quoted bytes are in the file).
 */
function pointsAtSomething(message: string, file: string, bytes: Uint8Array, known: ReadonlySet<string>): boolean {
  if (!message.startsWith(file)) return false;
  const byte = /\(byte (\d+)\)/.exec(message);
  if (byte && Number(byte[1]) <= bytes.length) return true;
  const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [...message.matchAll(/'([^']+)'/g)].some(([, quoted]) => {
    const q = quoted as string;
    return known.has(q) || (q.length >= 4 && (haystack.includes(Buffer.from(q, 'utf8')) || haystack.includes(Buffer.from(q, 'latin1'))));
  });
}

const STORED_TO_HOST: Record<string, string> = { F64: 'float32', F32: 'float32', F16: 'float32', BF16: 'float32', I64: 'int32', I32: 'int32', I16: 'int32', I8: 'int32', U8: 'int32', BOOL: 'bool' };

/**
 * A parsed safetensors mutant, checked against its own header read independently: the same tensor names, each with
 * the header's shape, the host dtype of the stored one, and (for F32) exactly the bits at its data_offsets.
 */
function checkSafetensorsParse(bytes: Uint8Array, tensors: Map<string, HostTensor>): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + headerLength)).toString()) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const names = Object.keys(header).filter((n) => n !== '__metadata__');
  expect([...tensors.keys()].sort()).toEqual(names.sort());
  for (const [name, t] of tensors) {
    const entry = header[name]!;
    expect(t.shape, name).toEqual(entry.shape);
    expect(t.dtype, name).toBe(STORED_TO_HOST[entry.dtype]);
    expect(t.values.length, name).toBe(entry.shape.reduce((a, b) => a * b, 1));
    if (entry.dtype !== 'F32') continue;
    const start = 8 + headerLength + entry.data_offsets[0];
    if (bytesOf(t).equals(bytes.subarray(start, start + 4 * t.values.length))) continue;
    // Only a NaN may differ in its bits (its payload need not survive a float32 round trip).
    t.values.forEach((v, i) => {
      const stored = view.getFloat32(start + 4 * i, true);
      if (!(Object.is(v, stored) || (Number.isNaN(v) && Number.isNaN(stored)))) throw new Error(`tensor '${name}' element ${i} is not the file's value at byte ${start + 4 * i}`);
    });
  }
}

const bytesOf = (t: HostTensor) => Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength);

/**
 * A parsed .pth mutant: every tensor's element count matches its shape, its dtype is a host dtype, and a float32
 * tensor's values are bytes of the file (a storage read from the wrong place would not be found there).
 */
function checkPthParse(bytes: Uint8Array, tensors: Map<string, HostTensor>, original: Map<string, HostTensor>): void {
  expect(tensors.size).toBeGreaterThan(0);
  const file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const [name, t] of tensors) {
    expect(t.values.length, name).toBe(t.shape.reduce((a, b) => a * b, 1));
    expect(['float32', 'int32', 'bool'], name).toContain(t.dtype);
    const before = original.get(name);
    // A damaged tensor must still be bytes of the file: searched for, unless it is the original tensor unchanged.
    if (t.dtype !== 'float32' || t.values.length === 0 || (before && bytesOf(before).equals(bytesOf(t)))) continue;
    const raw = bytesOf(t).subarray(0, 256);
    expect(file.indexOf(raw), `tensor '${name}' values are not bytes of the file`).toBeGreaterThanOrEqual(0);
  }
}

interface Outcome {
  refused: number;
  parsed: number;
  /** Parsed with every tensor equal to the original (damage that decoding cannot see, e.g. in padding). */
  unchanged: number;
}

function fuzz(
  original: Uint8Array,
  mutations: Mutation[],
  decode: (source: FileBytes, budget: AllocationBudget) => Map<string, HostTensor>,
  checkParse: (bytes: Uint8Array, tensors: Map<string, HostTensor>) => void,
  known: ReadonlySet<string>,
): Outcome {
  const reference = decode({ bytes: original, file: 'original' }, budgetFor('original', original.length));
  const rng = Rng.seeded(20261125);
  const outcome: Outcome = { refused: 0, parsed: 0, unchanged: 0 };
  const started = performance.now();
  for (let i = 0; i < MUTANTS; i++) {
    const { bytes, what } = (mutations[i % mutations.length] as Mutation)(original, rng);
    const file = `mutant-${i}`;
    const budget = budgetFor(file, bytes.length);
    const t0 = performance.now();
    let tensors: Map<string, HostTensor> | undefined;
    try {
      tensors = decode({ bytes, file }, budget);
    } catch (error) {
      if (!(error instanceof NextxError)) throw new Error(`mutant ${i} (${what}) threw ${String(error)}, not a NextxError`);
      if (!pointsAtSomething(error.message, file, bytes, known)) throw new Error(`mutant ${i} (${what}): '${error.message}' names no offset or entry`);
      outcome.refused++;
    }
    if (tensors) {
      try {
        checkParse(bytes, tensors);
      } catch (error) {
        throw new Error(`mutant ${i} (${what}) parsed inconsistently: ${(error as Error).message}`);
      }
      outcome.parsed++;
      if (sameTensors(tensors, reference)) outcome.unchanged++;
    }
    // No single buffer larger than the file; no read slower than a generous bound (no hang).
    expect(budget.largest, `mutant ${i} (${what})`).toBeLessThanOrEqual(bytes.length);
    expect(performance.now() - t0, `mutant ${i} (${what}) time`).toBeLessThan(2000);
  }
  expect(performance.now() - started).toBeLessThan(90_000);
  return outcome;
}

function sameTensors(a: Map<string, HostTensor>, b: Map<string, HostTensor>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, t] of a) {
    const u = b.get(name);
    if (!u || u.dtype !== t.dtype || u.shape.join() !== t.shape.join()) return false;
    if (!bytesOf(t).equals(bytesOf(u))) return false;
  }
  return true;
}

/** Both classes must be substantial: the mutations reach the validation, and data damage is not a format error. */
function expectBothClasses(outcome: Outcome): void {
  expect(outcome.refused + outcome.parsed).toBe(MUTANTS); // every mutant was classified (the loop throws otherwise)
  expect(outcome.refused).toBeGreaterThan(MUTANTS / 3);
  expect(outcome.parsed).toBeGreaterThan(MUTANTS / 10);
  // Most parsed mutants carry damage the reader passed on as data (flipped value bits), not only untouched files.
  expect(outcome.parsed - outcome.unchanged).toBeGreaterThan(MUTANTS / 20);
}

describe('hostile input', () => {
  it(`${MUTANTS} mutated safetensors files: refused naming where, or parsed exactly as their own header says`, () => {
    const original = fixture('var.safetensors');
    const names = new Set(decodeSafetensors({ bytes: original, file: 'original' }).tensors.keys());
    const outcome = fuzz(
      original,
      [flipBits, overwriteBoundary, truncate, safetensorsJsonEdit(), safetensorsJsonEdit()],
      (s, b) => decodeSafetensors(s, b).tensors,
      checkSafetensorsParse,
      names,
    );
    expectBothClasses(outcome);
  }, 120_000);

  it(`${MUTANTS} mutated .pth archives: refused naming where, or parsed to tensors read from the file's bytes`, () => {
    const original = fixture('var.pth');
    const reference = decodePth({ bytes: original, file: 'original' });
    const entries = readStoredZip(original, 'original', budgetFor('original', original.length));
    const storageKeys = [...entries.keys()].filter((n) => n.includes('/data/')).map((n) => n.slice(n.lastIndexOf('/') + 1));
    const known = new Set([...reference.keys(), ...entries.keys(), ...storageKeys]);
    const outcome = fuzz(
      original,
      [flipBits, overwriteBoundary, truncate, editZipDirectory, editPickle, editPickle],
      (s, b) => decodePth(s, b),
      (bytes, tensors) => checkPthParse(bytes, tensors, reference),
      known,
    );
    expectBothClasses(outcome);
  }, 120_000);
});
