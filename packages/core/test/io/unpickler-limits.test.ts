import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/errors.js';
import { decodePth } from '../../src/io/pth-read.js';
import { PickleBuilder, pthArchive, stateDictPickle } from './pth-builder.js';

const floats = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);
const decode = (pickle: Uint8Array, storages: Record<string, Uint8Array> = {}) => decodePth({ bytes: pthArchive(pickle, storages), file: 't.pth' });

describe('restricted unpickler limits', () => {
  it('APPENDS of a 300,000-item list is a CheckpointError about the result, not a call-stack overflow', () => {
    const p = new PickleBuilder().op(0x5d, 0x28);
    for (let i = 0; i < 300_000; i++) p.op(0x4e); // NONE
    const pickle = p.op(0x65).bytes(); // APPENDS; the root is a list, not a state dict
    expect(() => decode(pickle)).toThrow(/does not hold a state dict/);
  });

  it('a size tuple of more than 64 dimensions is refused', () => {
    const size = Array.from({ length: 65 }, () => 1);
    const pickle = stateDictPickle([{ name: 'w', storage: '0', numel: 1, size, stride: size }]);
    expect(() => decode(pickle, { '0': floats([1]) })).toThrow(/65 dimensions, more than 64/);
  });

  it('one huge memoized size tuple reused by many REDUCEs cannot make the work quadratic', () => {
    // Memo 0: the rebuild global; memo 1: the storage; memo 2: a 100,000-long size tuple; then 100,000 calls
    // `_rebuild_tensor_v2(storage, 0, size, size)` of 13 bytes each. Validating the size per call would be 10^10 steps;
    // the rank cap refuses the first call at once.
    const t0 = performance.now();
    const q = new PickleBuilder().global('torch._utils', '_rebuild_tensor_v2').op(0x71, 0);
    q.tuple((r) => r.str('storage').global('torch', 'FloatStorage').str('0').str('cpu').int(1)).op(0x51, 0x71, 1);
    q.op(0x28);
    for (let i = 0; i < 100_000; i++) q.op(0x4b, 1);
    q.op(0x74, 0x71, 2);
    for (let i = 0; i < 100_000; i++) q.op(0x68, 0, 0x28, 0x68, 1, 0x4b, 0, 0x68, 2, 0x68, 2, 0x74, 0x52);
    expect(() => decode(q.bytes(), { '0': floats([1]) })).toThrow(/100000 dimensions, more than 64/);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('refuses BINUNICODE whose length runs past the pickle, and a pickle without STOP', () => {
    const long = Uint8Array.from([0x80, 2, 0x58, 0xff, 0xff, 0xff, 0x7f, 0x41, 0x2e]);
    expect(() => decode(long)).toThrow(/runs past the end of the pickle/);
    const noStop = Uint8Array.from([0x80, 2, 0x4e]);
    expect(() => decode(noStop)).toThrow(/ends without STOP/);
  });

  it('refuses a GET of a memo slot never stored, naming the index', () => {
    const pickle = new PickleBuilder().op(0x68, 7).bytes();
    expect(() => decode(pickle)).toThrow(CheckpointError);
    expect(() => decode(pickle)).toThrow(/memo index 7 was never stored/);
  });

  it('refuses a big-endian archive (byteorder record)', async () => {
    const { zipSync } = await import('fflate');
    const pickle = stateDictPickle([{ name: 'w', storage: '0', numel: 1, size: [1], stride: [1] }]);
    const bytes = zipSync({ 'a/data.pkl': pickle, 'a/byteorder': Buffer.from('big'), 'a/data/0': floats([1]) }, { level: 0 });
    expect(() => decodePth({ bytes, file: 'be.pth' })).toThrow(/not little-endian/);
  });

  it('accepts any archive stem, and _rebuild_parameter around a tensor', () => {
    const p = new PickleBuilder().global('collections', 'OrderedDict').op(0x29, 0x52);
    p.str('w').global('torch._utils', '_rebuild_parameter');
    p.tuple((q) => {
      q.global('torch._utils', '_rebuild_tensor_v2');
      q.tuple((r) => {
        r.tuple((s) => s.str('storage').global('torch', 'HalfStorage').str('k').str('cpu').int(2)).op(0x51);
        r.int(0).tuple((s) => s.int(2)).tuple((s) => s.int(1)).op(0x89).global('collections', 'OrderedDict').op(0x29, 0x52);
      });
      q.op(0x52, 0x88).global('collections', 'OrderedDict').op(0x29, 0x52);
    });
    const pickle = p.op(0x52, 0x73).bytes(); // REDUCE, SETITEM
    return import('fflate').then(({ zipSync }) => {
      const half = new Uint8Array(new Uint16Array([0x3c00, 0xfc00]).buffer); // 1, -inf
      const bytes = zipSync({ 'my_model/data.pkl': pickle, 'my_model/data/k': half }, { level: 0 });
      const w = decodePth({ bytes, file: 'p.pth' }).get('w')!;
      expect(w.dtype).toBe('float32');
      expect(Array.from(w.values)).toEqual([1, -Infinity]);
    });
  });
});
