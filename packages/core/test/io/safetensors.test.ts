import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { CheckpointError } from '../../src/errors.js';
import { decodeSafetensors, parseSafetensorsHeader, readSafetensors, readSafetensorsWithMetadata } from '../../src/io/safetensors-read.js';
import { encodeSafetensors } from '../../src/io/safetensors-write.js';
import { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat } from '../../src/io/half-float.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

/** A safetensors file from a header object and raw data bytes. */
function build(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(Buffer.from(json), 8);
  out.set(data, 8 + json.length);
  return out;
}

const source = (bytes: Uint8Array) => ({ bytes, file: 'test.safetensors' });

describe('half and bfloat16 conversions', () => {
  it('decode binary16 by hand: 1, −2, 65504, smallest subnormal, ±inf, NaN', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x03ff)).toBe(1023 * 2 ** -24);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });
  it('encode binary16 with round-to-nearest-even, overflow to inf, underflow to zero', () => {
    expect(floatToHalf(1)).toBe(0x3c00);
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // halfway: rounds to even
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(floatToHalf(70000)).toBe(0x7c00);
    expect(floatToHalf(2 ** -24)).toBe(0x0001);
    expect(floatToHalf(2 ** -26)).toBe(0);
    for (let h = 0; h < 0x7c00; h += 7) expect(floatToHalf(halfToFloat(h))).toBe(h);
  });
  it('bfloat16 is the top half of float32, rounded to nearest even', () => {
    expect(bfloat16ToFloat(0x3f80)).toBe(1);
    expect(bfloat16ToFloat(0xff80)).toBe(-Infinity);
    expect(floatToBfloat16(1)).toBe(0x3f80);
    expect(floatToBfloat16(Math.fround(1 + 2 ** -8))).toBe(0x3f80);
    expect(floatToBfloat16(Math.fround(1 + 3 * 2 ** -8))).toBe(0x3f82);
    expect(Number.isNaN(bfloat16ToFloat(floatToBfloat16(NaN)))).toBe(true);
  });
});

describe.each(TEST_BACKENDS)('safetensors tensors on %s', (backend) => {
  beforeAll(async () => useBackend(backend));

  it('round-trips F32, I32, BOOL and keeps metadata, -inf and order', () => {
    const before = tf.memory().numTensors;
    const tensors = {
      b: tf.tensor2d([1.5, -Infinity, 3, 4e-39], [2, 2]),
      a: tf.tensor1d([-7, 2147483647], 'int32'),
      m: tf.tensor1d([true, false, true], 'bool'),
      empty: tf.zeros([0, 3]),
    };
    const bytes = encodeSafetensors(tensors, { metadata: { format: 'pt' } });
    const header = parseSafetensorsHeader(source(bytes));
    expect(header.entries.map((e) => e.name)).toEqual(['b', 'a', 'm', 'empty']);
    expect(header.metadata).toEqual({ format: 'pt' });
    expect((8 + header.dataStart - 8) % 8).toBe(0);
    const back = readSafetensors(bytes);
    expect(Array.from(back['b']!.dataSync())).toEqual(Array.from(tensors.b.dataSync()));
    expect(back['a']!.dtype).toBe('int32');
    expect(Array.from(back['a']!.dataSync())).toEqual([-7, 2147483647]);
    expect(back['m']!.dtype).toBe('bool');
    expect(Array.from(back['m']!.dataSync())).toEqual([1, 0, 1]);
    expect(back['empty']!.shape).toEqual([0, 3]);
    tf.dispose([...Object.values(tensors), ...Object.values(back)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('writes F16 and BF16 and reads them back as float32', () => {
    const x = tf.tensor1d([1, -2.5, 65504, 2 ** -24]);
    for (const floatDtype of ['F16', 'BF16'] as const) {
      const bytes = encodeSafetensors({ x }, { floatDtype });
      expect(parseSafetensorsHeader(source(bytes)).entries[0]!.dtype).toBe(floatDtype);
      const { tensors } = decodeSafetensors(source(bytes));
      const values = Array.from(tensors.get('x')!.values);
      expect(values.slice(0, 2)).toEqual([1, -2.5]);
      if (floatDtype === 'F16') expect(values.slice(2)).toEqual([65504, 2 ** -24]);
    }
    x.dispose();
  });

  it('writes int32 as U8 on request (0..255 only) and refuses a dtype that does not fit the tensor', () => {
    const before = tf.memory().numTensors;
    const ids = tf.tensor1d([0, 7, 255], 'int32');
    const bytes = encodeSafetensors({ ids }, { dtypes: { ids: 'U8' } });
    const entry = parseSafetensorsHeader(source(bytes)).entries[0]!;
    expect([entry.dtype, entry.bytes]).toEqual(['U8', 3]);
    const back = readSafetensors(bytes);
    expect(back['ids']!.dtype).toBe('int32');
    expect(Array.from(back['ids']!.dataSync())).toEqual([0, 7, 255]);
    const wide = tf.tensor1d([1, 256], 'int32');
    expect(() => encodeSafetensors({ wide }, { dtypes: { wide: 'U8' } })).toThrow(/'wide' holds 256 at element 1, outside the U8 range/);
    expect(() => encodeSafetensors({ ids }, { dtypes: { ids: 'F16' } })).toThrow(/'ids' \(int32\) cannot be stored as F16/);
    tf.dispose([ids, wide, ...Object.values(back)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('readSafetensorsWithMetadata returns tensors with the stored metadata', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([0.25, -0]);
    const { tensors, metadata } = readSafetensorsWithMetadata(encodeSafetensors({ x }, { metadata: { step: '12' } }));
    expect(metadata).toEqual({ step: '12' });
    expect(Object.is(tensors['x']!.dataSync()[1], -0)).toBe(true);
    tf.dispose([x, ...Object.values(tensors)]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('safetensors validation', () => {

  it('reads F64, I64, I16, I8 and U8 by hand-built bytes', () => {
    const data = new Uint8Array(8 + 16 + 2 + 1 + 1);
    const view = new DataView(data.buffer);
    view.setFloat64(0, 0.1, true);
    view.setBigInt64(8, -5n, true);
    view.setBigInt64(16, 2n ** 31n - 1n, true);
    view.setInt16(24, -300, true);
    view.setInt8(26, -4);
    view.setUint8(27, 250);
    const bytes = build(
      {
        f: { dtype: 'F64', shape: [1], data_offsets: [0, 8] },
        l: { dtype: 'I64', shape: [2], data_offsets: [8, 24] },
        s: { dtype: 'I16', shape: [1], data_offsets: [24, 26] },
        c: { dtype: 'I8', shape: [1], data_offsets: [26, 27] },
        u: { dtype: 'U8', shape: [1], data_offsets: [27, 28] },
      },
      data,
    );
    const { tensors } = decodeSafetensors(source(bytes));
    expect(tensors.get('f')!.values[0]).toBe(Math.fround(0.1));
    expect(Array.from(tensors.get('l')!.values)).toEqual([-5, 2147483647]);
    expect(tensors.get('s')!.values[0]).toBe(-300);
    expect(tensors.get('c')!.values[0]).toBe(-4);
    expect(tensors.get('u')!.values[0]).toBe(250);
  });

  it('refuses an I64 value outside int32, naming the tensor, the value and its offset', () => {
    const data = new Uint8Array(16);
    new DataView(data.buffer).setBigInt64(8, 2n ** 31n, true);
    const bytes = build({ big: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, data);
    expect(() => decodeSafetensors(source(bytes))).toThrow(/tensor 'big' \(I64\) holds 2147483648 at element 1/);
    try {
      decodeSafetensors(source(bytes));
    } catch (error) {
      expect(error).toBeInstanceOf(CheckpointError);
      expect((error as CheckpointError).offset).toBe(bytes.length - 8);
    }
  });

  const bad: Array<[string, Uint8Array, RegExp]> = [
    ['too short', new Uint8Array(5), /8-byte header length/],
    ['header longer than the file', (() => { const b = new Uint8Array(16); new DataView(b.buffer).setBigUint64(0, 1000n, true); return b; })(), /header length 1000 exceeds/],
    ['not JSON', build({}, new Uint8Array(0)).fill(0x41, 8), /not valid JSON/],
    ['unknown dtype', build({ x: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), /unknown dtype "F8"/],
    ['negative shape', build({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), /shape must be a list of non-negative integers/],
    ['range past the data', build({ x: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Uint8Array(8)), /truncated: .* \(8 bytes missing/],
    ['range past the data, not a truncation', build({ x: { dtype: 'F32', shape: [1], data_offsets: [8, 4] } }, new Uint8Array(8)), /lie outside the 8-byte data section/],
    ['shape and bytes disagree', build({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)), /needs a different byte count/],
    ['huge shape', build({ x: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, new Uint8Array(8)), /needs a different byte count/],
    ['overlap', build({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, y: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)), /overlap/],
  ];
  it.each(bad)('refuses a file with %s, naming what is wrong', (_name, bytes, message) => {
    expect(() => decodeSafetensors(source(bytes))).toThrow(CheckpointError);
    expect(() => decodeSafetensors(source(bytes))).toThrow(message);
  });
});
