import { describe, expect, it } from 'vitest';
import { EpochBatchSource, Rng, type EpochBatch } from '../../src/index.js';

const take = async (source: EpochBatchSource, n: number): Promise<EpochBatch[]> => {
  const out: EpochBatch[] = [];
  for (let i = 0; i < n; i++) {
    const b = await source.next();
    out.push({ ...b, rows: b.rows.slice() });
  }
  return out;
};
const plain = (batches: EpochBatch[]) => batches.map((b) => ({ epoch: b.epoch, index: b.index, rows: Array.from(b.rows) }));

describe('Rng.permutation', () => {
  it('is Fisher–Yates from the end with one uniform draw per position', () => {
    const order = Rng.seeded(4).permutation(6);
    // The same draws written out by hand: position i swaps with floor(u·(i + 1)).
    const rng = Rng.seeded(4);
    const expected = [0, 1, 2, 3, 4, 5];
    for (let i = 5; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [expected[i], expected[j]] = [expected[j] as number, expected[i] as number];
    }
    expect(Array.from(order)).toEqual(expected);
    expect([...order].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('EpochBatchSource', () => {
  it('covers every row once per epoch in batches, a new order each epoch, the last partial batch kept or dropped', async () => {
    const source = new EpochBatchSource({ rows: 10, batchSize: 4, seed: 1 });
    expect(source.batches).toBe(3);
    const [a, b, c, d] = plain(await take(source, 4));
    expect([a, b, c].map((x) => [x?.epoch, x?.index, x?.rows.length])).toEqual([[0, 0, 4], [0, 1, 4], [0, 2, 2]]);
    expect([...(a?.rows ?? []), ...(b?.rows ?? []), ...(c?.rows ?? [])].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(d?.epoch).toBe(1);
    const rng = Rng.seeded(1);
    expect(a?.rows).toEqual(Array.from(rng.permutation(10).subarray(0, 4)));
    expect(d?.rows).toEqual(Array.from(rng.permutation(10).subarray(0, 4)));

    const dropped = new EpochBatchSource({ rows: 10, batchSize: 4, dropLast: true, shuffle: false });
    expect(plain(await take(dropped, 3)).map((x) => x.rows)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [0, 1, 2, 3]]);
    expect(() => new EpochBatchSource({ rows: 3, batchSize: 4, dropLast: true })).toThrow(/3 rows make no full batch of 4/);
  });

  it.each([
    ['mid-epoch', 4],
    ['at the end of an epoch', 6],
    ['before the first batch', 0],
  ])('restoring a state taken %s replays the same batches (through JSON)', async (_, at) => {
    const source = new EpochBatchSource({ rows: 7, batchSize: 3, seed: 8 });
    await take(source, at);
    const saved = JSON.parse(JSON.stringify(source.state()));
    const expected = plain(await take(source, 7));
    const other = new EpochBatchSource({ rows: 7, batchSize: 3, seed: 99 });
    other.restore(saved);
    expect(plain(await take(other, 7))).toEqual(expected);
  });

  it('refuses a state that is not one, or lies past the epoch', () => {
    const source = new EpochBatchSource({ rows: 7, batchSize: 3 });
    expect(() => source.restore({ epoch: 1 })).toThrow(/not an epoch batch-source state/);
    expect(() => source.restore({ ...source.state(), index: 4 })).toThrow(/position 4 is past the 3 batches/);
  });
});
