import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { CheckpointError } from '../../src/errors.js';
import { parseIdx } from '../../src/data/fashion-mnist.js';

/** An IDX file of unsigned bytes: magic 0 0 8 rank, big-endian u32 dims, data. */
function idx(dims: number[], data: number[]): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  header.set([0, 0, 8, dims.length]);
  const view = new DataView(header.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return Uint8Array.from([...header, ...data]);
}

describe('IDX files (Fashion-MNIST)', () => {
  it('reads raw and gzipped unsigned-byte arrays', () => {
    const file = idx([2, 1, 3], [1, 2, 3, 4, 5, 6]);
    for (const bytes of [file, new Uint8Array(gzipSync(file))]) {
      const { dims, data } = parseIdx(bytes, 'x.idx');
      expect(dims).toEqual([2, 1, 3]);
      expect(Array.from(data)).toEqual([1, 2, 3, 4, 5, 6]);
    }
  });

  it('names the file and what is wrong', () => {
    expect(() => parseIdx(Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 1, 9]), 'bad.idx')).toThrow(CheckpointError);
    expect(() => parseIdx(Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 1, 9]), 'bad.idx')).toThrow(/bad\.idx.*magic/);
    expect(() => parseIdx(idx([3], [1, 2]), 'short.idx')).toThrow(/need 3 data bytes, the file has 2/);
    const floats = idx([1], [0]);
    floats[2] = 0x0d;
    expect(() => parseIdx(floats, 'f.idx')).toThrow(/not unsigned byte/);
  });
});
