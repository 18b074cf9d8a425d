import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import {
  complexAbs,
  complexAdd,
  complexConj,
  complexDiv,
  complexFromPolar,
  complexMul,
  complexScale,
  complexSub,
  type ComplexTensor,
} from '../../src/signal/complex-tensor.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

const c = (re: number[], im: number[]): ComplexTensor => ({ re: tf.tensor1d(re), im: tf.tensor1d(im) });
const expectComplex = (z: ComplexTensor, re: number[], im: number[]) => {
  Array.from(z.re.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(re[i] as number, 5));
  Array.from(z.im.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(im[i] as number, 5));
};

describe.each(TEST_BACKENDS)('complex arithmetic on %s', (backend) => {
  beforeAll(async () => useBackend(backend));

  it('adds, subtracts, conjugates, multiplies, divides and scales as hand-computed', () => {
    tf.tidy(() => {
      const x = c([1, 2], [2, 3]); // 1 + 2i, 2 + 3i
      const y = c([3, 4], [-1, -5]); // 3 − i, 4 − 5i
      expectComplex(complexAdd(x, y), [4, 6], [1, -2]);
      expectComplex(complexSub(x, y), [-2, -2], [3, 8]);
      expectComplex(complexConj(x), [1, 2], [-2, -3]);
      expectComplex(complexMul(x, y), [5, 23], [5, 2]); // (1+2i)(3−i) = 5 + 5i, (2+3i)(4−5i) = 23 + 2i
      expectComplex(complexDiv(complexMul(x, y), y), [1, 2], [2, 3]);
      expectComplex(complexDiv(c([1], [0]), c([0], [1])), [0], [-1]); // 1/i = −i
      expectComplex(complexScale(x, 2), [2, 4], [4, 6]);
      expectComplex(complexScale(x, c([0], [1])), [-2, -3], [1, 2]); // ·i, broadcast
      const rows = complexScale({ re: tf.ones([2, 3]), im: tf.zeros([2, 3]) }, tf.tensor2d([[2], [3]]));
      expect(Array.from(rows.re.dataSync())).toEqual([2, 2, 2, 3, 3, 3]);
      expect(Array.from(complexAbs(c([3, 0], [4, -2])).dataSync())).toEqual([5, 2]);
      expectComplex(complexFromPolar(tf.tensor1d([2, 1]), tf.tensor1d([Math.PI / 2, Math.PI])), [0, -1], [2, 0]);
    });
  });

  it('differentiates division: d/dx Re(x / y) = Re(1/y), d/dy Re(x / y) = Re(−x/y²)', () => {
    tf.tidy(() => {
      const [yr, yi] = [tf.tensor1d([3]), tf.tensor1d([-1])];
      const [xr, xi] = [tf.tensor1d([1]), tf.tensor1d([2])];
      const [dxr, dyr] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(complexDiv({ re: a, im: xi }, { re: b, im: yi }).re))([xr, yr]);
      // 1/(3 − i) = (3 + i)/10; −(1 + 2i)/(3 − i)² = −(1 + 2i)/(8 − 6i) = −(1 + 2i)(8 + 6i)/100 = (4 − 22i)/100
      expect(dxr!.dataSync()[0]).toBeCloseTo(0.3, 5);
      expect(dyr!.dataSync()[0]).toBeCloseTo(0.04, 5);
    });
  });
});
