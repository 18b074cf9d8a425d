import { describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { TensorCache } from '../../src/nn/tensor-cache.js';

describe('TensorCache', () => {
  it('builds each key once, evicts the least recently used beyond its capacity, and frees everything on dispose', () => {
    const before = tf.memory().numTensors;
    const cache = new TensorCache(2);
    const builds: string[] = [];
    const get = (key: string) =>
      cache.get(key, () => {
        builds.push(key);
        return tf.tidy(() => tf.add(tf.ones([2]), key.length)); // intermediates of a build are freed
      });
    const a = get('a');
    expect(get('a')).toBe(a);
    get('bb');
    get('a'); // a is now the most recently used
    get('ccc'); // evicts bb
    expect(builds).toEqual(['a', 'bb', 'ccc']);
    expect(a.isDisposed).toBe(false);
    get('bb');
    expect(builds).toEqual(['a', 'bb', 'ccc', 'bb']);
    expect(a.isDisposed).toBe(true); // a was the oldest when bb came back
    expect(cache.size).toBe(2);
    expect(tf.memory().numTensors).toBe(before + 2);
    // A tensor disposed behind the cache's back is rebuilt, not returned.
    get('bb').dispose();
    expect(get('bb').isDisposed).toBe(false);
    cache.dispose();
    expect(cache.size).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => new TensorCache(0)).toThrow(RangeError);
  });
});
