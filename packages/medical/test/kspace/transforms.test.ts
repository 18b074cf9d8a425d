import { beforeAll, describe, expect, it } from 'vitest';
import { tf, InputError } from '@nextx/core';
import { imageToKspace, kspaceToImage, rss } from '../../src/index.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { reference, stored } from '../helpers/fastmri-reference.js';
import { centredDft2, randomArray, relativeError } from '../helpers/reference-dft.js';

describe.each(TEST_BACKENDS)('centred FFT on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('is the centred orthonormal DFT by definition (odd and even sides)', () => {
    const [c, h, w] = [2, 9, 12];
    const re = randomArray(c * h * w, 1);
    const im = randomArray(c * h * w, 2);
    const x = { re: tf.tensor3d(re, [c, h, w]), im: tf.tensor3d(im, [c, h, w]) };
    const k = imageToKspace(x);
    const expected = centredDft2(re, im, h, w, -1);
    expect(relativeError(k.re.dataSync(), expected.re)).toBeLessThan(1e-5);
    expect(relativeError(k.im.dataSync(), expected.im)).toBeLessThan(1e-5);
    const back = kspaceToImage(x);
    const inverse = centredDft2(re, im, h, w, 1);
    expect(relativeError(back.re.dataSync(), inverse.re)).toBeLessThan(1e-5);
    tf.dispose([x.re, x.im, k.re, k.im, back.re, back.im]);
  });

  it('round-trips image → k-space → image and keeps the energy (ortho)', () => {
    const shape: [number, number, number] = [3, 15, 16];
    const n = shape[0] * shape[1] * shape[2];
    const re = randomArray(n, 3);
    const im = randomArray(n, 4);
    const x = { re: tf.tensor3d(re, shape), im: tf.tensor3d(im, shape) };
    tf.dispose(Object.values(imageToKspace(x))); // the first call caches the small-length DFT matrices (core fft-cache)
    tf.dispose(Object.values(kspaceToImage(x)));
    const before = tf.memory().numTensors;
    const k = imageToKspace(x);
    const back = kspaceToImage(k);
    expect(relativeError(back.re.dataSync(), re)).toBeLessThan(1e-5);
    expect(relativeError(back.im.dataSync(), im)).toBeLessThan(1e-5);
    const energy = (z: { re: tf.Tensor; im: tf.Tensor }) => tf.tidy(() => tf.sum(tf.add(tf.square(z.re), tf.square(z.im))).dataSync()[0] as number);
    expect(energy(k)).toBeCloseTo(energy(x), 2);
    tf.dispose([k.re, k.im, back.re, back.im]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x.re, x.im]);
  });

  it("equals fastMRI's fft2c, ifft2c and rss_complex on the fixture", () => {
    for (const c of reference.fft) {
      const x = { re: tf.tensor(stored(c.re), c.shape), im: tf.tensor(stored(c.im), c.shape) };
      const k = imageToKspace(x);
      const i = kspaceToImage(x);
      expect(relativeError(k.re.dataSync(), stored(c.fft2c.re))).toBeLessThan(2e-6);
      expect(relativeError(k.im.dataSync(), stored(c.fft2c.im))).toBeLessThan(2e-6);
      expect(relativeError(i.re.dataSync(), stored(c.ifft2c.re))).toBeLessThan(2e-6);
      expect(relativeError(i.im.dataSync(), stored(c.ifft2c.im))).toBeLessThan(2e-6);
      const r = rss(x);
      expect(relativeError(r.dataSync(), stored(c.rss))).toBeLessThan(2e-6);
      tf.dispose([x.re, x.im, k.re, k.im, i.re, i.im, r]);
    }
  });

  it('refuses real k-space, naming it', () => {
    const real = tf.zeros([4, 4]);
    expect(() => kspaceToImage(real as never)).toThrow(InputError);
    expect(() => kspaceToImage(real as never)).toThrow(/k-space must be complex .*real float32 tensor of shape \[4, 4\]/);
    expect(() => imageToKspace({ re: real, im: tf.zeros([4, 5]) })).toThrow(/image: re has shape \[4, 4\] but im has \[4, 5\]/);
    real.dispose();
  });
});
