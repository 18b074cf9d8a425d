import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import {
  AttentionMaskCache,
  blockCausalMask,
  causalMask,
  combineMasks,
  groupIdsFromSizes,
  keyPaddingMask,
  lengthMask,
  maskFromPositions,
  slidingWindowMask,
} from '../../src/nn/attention-mask.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

/** A mask as rows of '1' (visible, 0) and '.' (−Infinity); anything else fails. */
function pattern(mask: tf.Tensor): string[] {
  const [lq, lk] = mask.shape.slice(-2) as [number, number];
  const data = mask.dataSync();
  const rows: string[] = [];
  for (let r = 0; r < data.length / lk; r++) {
    let row = '';
    for (let j = 0; j < lk; j++) {
      const v = data[r * lk + j] as number;
      if (v === 0) row += '1';
      else if (v === -Infinity) row += '.';
      else throw new Error(`mask value ${v}`);
    }
    rows.push(row);
  }
  expect(rows.length % lq).toBe(0);
  return rows;
}

describe.each(TEST_BACKENDS)('attention masks on %s', (backend) => {
  let baseline = 0;
  beforeEach(async () => {
    await useBackend(backend);
    baseline = tf.memory().numTensors;
  });
  afterEach(() => expect(tf.memory().numTensors).toBe(baseline));

  it('causal, with and without a query offset', () => {
    const full = causalMask(3);
    expect(pattern(full)).toEqual(['1..', '11.', '111']);
    const step = causalMask(2, { offset: 2 });
    expect(step.shape).toEqual([2, 4]);
    expect(pattern(step)).toEqual(['111.', '1111']);
    tf.dispose([full, step]);
  });

  it('block-causal by group ids (VAR scales 1, 4, 9) and for the last block only', () => {
    expect(groupIdsFromSizes([1, 2, 1])).toEqual([0, 1, 1, 2]);
    const small = blockCausalMask([0, 1, 1, 2]);
    expect(pattern(small)).toEqual(['1...', '111.', '111.', '1111']);
    const ids = groupIdsFromSizes([1, 4, 9]);
    const varMask = blockCausalMask(ids);
    const rows = pattern(varMask);
    expect(rows[0]).toBe('1' + '.'.repeat(13));
    for (let p = 1; p < 5; p++) expect(rows[p]).toBe('1'.repeat(5) + '.'.repeat(9));
    for (let p = 5; p < 14; p++) expect(rows[p]).toBe('1'.repeat(14));
    const last = blockCausalMask(ids, { queryStart: 5 });
    expect(last.shape).toEqual([9, 14]);
    expect(pattern(last)).toEqual(rows.slice(5));
    tf.dispose([small, varMask, last]);
  });

  it('sliding window keeps the sink tokens visible', () => {
    const m = slidingWindowMask(5, { window: 2, sinkTokens: 1 });
    expect(pattern(m)).toEqual(['1....', '11...', '111..', '1.11.', '1..11']);
    const noSink = slidingWindowMask(2, { window: 2, offset: 3 });
    expect(pattern(noSink)).toEqual(['..11.', '...11']);
    tf.dispose([m, noSink]);
  });

  it('positions masks, padding masks and their combination', () => {
    // Keys at positions 0, 5, 9 (e.g. after eviction), queries at 9 and 10, causal.
    const byPos = maskFromPositions([5, 9], [0, 5, 9], (p, q) => q <= p);
    expect(pattern(byPos)).toEqual(['11.', '111']);
    expect(() => maskFromPositions([0], [1], (p, q) => q <= p)).toThrow(/sees no key/);
    const pad = keyPaddingMask([[true, true, false], [true, false, false]]);
    expect(pad.shape).toEqual([2, 1, 1, 3]);
    const lengths = lengthMask([2, 1], 3);
    expect(Array.from(lengths.dataSync())).toEqual(Array.from(pad.dataSync()));
    const causal = causalMask(3);
    const both = combineMasks(causal, pad);
    expect(both.shape).toEqual([2, 1, 3, 3]);
    expect(pattern(both)).toEqual(['1..', '11.', '11.', '1..', '1..', '1..']);
    tf.dispose([byPos, pad, lengths, causal, both]);
  });

  it('AttentionMaskCache builds once per key and frees on dispose', () => {
    const cache = new AttentionMaskCache();
    let builds = 0;
    const build = () => {
      builds++;
      return causalMask(4);
    };
    const a = tf.tidy(() => cache.get('causal:4', build));
    const b = cache.get('causal:4', build);
    expect(a).toBe(b);
    expect(a.isDisposed).toBe(false);
    expect(builds).toBe(1);
    cache.dispose();
    expect(a.isDisposed).toBe(true);
  });
});
