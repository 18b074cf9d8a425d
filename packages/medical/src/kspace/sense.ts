import { tf, InputError, complexConj, complexMul, type ComplexTensor } from '@nextx/core';
import { checkComplexTensor } from './complex-array.js';
import { checkMask, maskTensor, type CartesianMask } from './cartesian-mask.js';
import { imageToKspace, kspaceToImage } from './transforms.js';

/**
 * The SENSE model of a multi-coil Cartesian acquisition: an image x [H, W] is seen by coil c as S_c·x, measured on the
 * mask's columns of its centred k-space. A = M·F·S and its adjoint A^H y = Σ_c conj(S_c)·F⁻¹(M·y_c) (F is unitary).
 */
export class SenseOperator {
  readonly numCoils: number;
  readonly height: number;
  readonly width: number;
  private readonly m: tf.Tensor;

  constructor(
    readonly maps: ComplexTensor,
    readonly mask: CartesianMask,
  ) {
    checkComplexTensor(maps, 'coil sensitivities', 3);
    const [C, H, W] = maps.re.shape as [number, number, number];
    checkMask(mask, W);
    this.numCoils = C;
    this.height = H;
    this.width = W;
    this.m = tf.tidy(() => tf.cast(maskTensor(mask, 3), 'float32'));
  }

  private checkImage(x: ComplexTensor): void {
    checkComplexTensor(x, 'image');
    if (x.re.rank !== 2 || x.re.shape[0] !== this.height || x.re.shape[1] !== this.width) {
      throw new InputError(`SENSE: image [${x.re.shape.join(', ')}] does not match the coil maps [${this.numCoils}, ${this.height}, ${this.width}]`);
    }
  }

  /** S_c·x for every coil: [C, H, W]. */
  coilImages(x: ComplexTensor): ComplexTensor {
    this.checkImage(x);
    return complexMul(this.maps, x);
  }

  /** Σ_c conj(S_c)·I_c: the coil images [C, H, W] combined into one [H, W]. */
  combine(coilImages: ComplexTensor): ComplexTensor {
    checkComplexTensor(coilImages, 'coil images', 3);
    return tf.tidy(() => {
      const z = complexMul(complexConj(this.maps), coilImages);
      return { re: tf.sum(z.re, 0), im: tf.sum(z.im, 0) };
    });
  }

  /** Full (unmasked) multi-coil k-space F(S·x): [C, H, W]. */
  kspace(x: ComplexTensor): ComplexTensor {
    return tf.tidy(() => imageToKspace(this.coilImages(x)));
  }

  /** A x = M·F(S·x). */
  forward(x: ComplexTensor): ComplexTensor {
    return tf.tidy(() => {
      const k = this.kspace(x);
      return { re: tf.mul(k.re, this.m), im: tf.mul(k.im, this.m) };
    });
  }

  /** A^H y = Σ_c conj(S_c)·F⁻¹(M·y_c). */
  adjoint(y: ComplexTensor): ComplexTensor {
    checkComplexTensor(y, 'k-space', 3);
    return tf.tidy(() => this.combine(kspaceToImage({ re: tf.mul(y.re, this.m), im: tf.mul(y.im, this.m) })));
  }

  /** A^H A x. */
  normal(x: ComplexTensor): ComplexTensor {
    return tf.tidy(() => this.adjoint(this.forward(x)));
  }

  dispose(): void {
    this.m.dispose();
  }
}
