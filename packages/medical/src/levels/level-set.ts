import { tf, InputError, complexConj, complexMul, type ComplexTensor, type Rng } from '@nextx/core';
import { checkComplexTensor } from '../kspace/complex-array.js';
import { checkMask, maskTensor, nestedMasks, type CartesianMask } from '../kspace/cartesian-mask.js';
import { estimateCoilSensitivities } from '../kspace/coil-sensitivities.js';
import { applyDataConsistency, type DataConsistency } from '../kspace/data-consistency.js';
import { SenseOperator } from '../kspace/sense.js';
import { kspaceToImage } from '../kspace/transforms.js';
import { levelCenterFraction, type MriNasConfig } from '../mri-nas/config.js';

/** What a reconstruction starts from: the zero-filled measured multi-coil k-space [C, N, N] and its mask. */
export interface Measurement {
  readonly kspace: ComplexTensor;
  readonly mask: CartesianMask;
}

/**
 * The acceleration levels of one measurement: nested masks of every level (the measured one among them), coil maps
 * estimated from the measured calibration region, the normalisation, and the level images the data give — levels
 * 0 … inputLevel from the measurement alone, every level when the fully sampled k-space is known (training).
 * Owns its tensors: call `dispose()`.
 */
export class LevelSet {
  private constructor(
    readonly inputLevel: number,
    readonly masks: readonly CartesianMask[],
    readonly maps: ComplexTensor,
    readonly sense: SenseOperator,
    /** Level images are divided by it: the largest magnitude of the measured level's image. */
    readonly scale: number,
    /** [K', N, N, 2] (re, im), normalised. */
    readonly images: tf.Tensor4D,
  ) {}

  /** Index of `acceleration` among the model's levels; an InputError when it is not one. */
  static levelOf(config: MriNasConfig, acceleration: number): number {
    const index = config.accelerations.indexOf(acceleration);
    if (index < 0 || index === config.accelerations.length - 1) {
      throw new InputError(`acceleration ${acceleration} is not an undersampled level of this model (${config.accelerations.slice(0, -1).join(', ')})`);
    }
    return index;
  }

  static prepare(config: MriNasConfig, measurement: Measurement, rng: Rng, fullKspace?: ComplexTensor): LevelSet {
    const n = config.imageSize;
    checkComplexTensor(measurement.kspace, 'measured k-space', 3);
    const [, H, W] = measurement.kspace.re.shape as [number, number, number];
    if (H !== n || W !== n) throw new InputError(`measured k-space is ${H}×${W}; the model reconstructs ${n}×${n}`);
    checkMask(measurement.mask, W, 'measured mask');
    if (fullKspace) checkComplexTensor(fullKspace, 'fully sampled k-space', 3);
    const inputLevel = LevelSet.levelOf(config, measurement.mask.acceleration);
    const masks = nestedMasks(measurement.mask, config.accelerations, rng, (R) => levelCenterFraction(config, R));
    const maps = estimateCoilSensitivities(measurement.kspace, measurement.mask);
    const sense = new SenseOperator(maps, measurement.mask);
    const source = fullKspace ?? measurement.kspace;
    const known = fullKspace ? masks.length : inputLevel + 1;
    const { images, scale } = tf.tidy(() => {
      // every level's masked coil k-space in one transform, as [K'·C, N, N] (core's FFT is much slower on rank 4 here)
      const C = source.re.shape[0] as number;
      const m = tf.cast(tf.stack(masks.slice(0, known).map((mask) => maskTensor(mask, 3))), 'float32');
      const flat = (t: tf.Tensor) => tf.reshape(tf.mul(tf.expandDims(t, 0), m), [known * C, n, n]);
      const z = kspaceToImage({ re: flat(source.re), im: flat(source.im) });
      const coilImages = { re: tf.reshape(z.re, [known, C, n, n]), im: tf.reshape(z.im, [known, C, n, n]) };
      const combined = complexMul(complexConj({ re: tf.expandDims(maps.re, 0), im: tf.expandDims(maps.im, 0) }), coilImages);
      const re = tf.sum(combined.re, 1);
      const im = tf.sum(combined.im, 1);
      const measuredMagnitude = tf.sqrt(tf.add(tf.square(tf.gather(re, inputLevel)), tf.square(tf.gather(im, inputLevel))));
      const s = Math.max(1e-12, tf.max(measuredMagnitude).dataSync()[0] as number);
      return { images: tf.div(tf.stack([re, im], -1), s) as tf.Tensor4D, scale: s };
    });
    return new LevelSet(inputLevel, masks, maps, sense, scale, images);
  }

  /**
   * A predicted normalised image [N, N, 2] made consistent with the measurement: x = scale·prediction, coil k-space
   * F(S·x) with the measured lines put back (`dc`), combined Σ conj(S_c)·F⁻¹(k_c). Returns the complex image [N, N].
   */
  consistent(prediction: tf.Tensor3D, measurement: Measurement, dc: DataConsistency = { mode: 'replace' }): ComplexTensor {
    return tf.tidy(() => {
      const [re, im] = tf.unstack(tf.mul(prediction, this.scale), 2) as [tf.Tensor, tf.Tensor];
      const k = applyDataConsistency(this.sense.kspace({ re, im }), measurement.kspace, measurement.mask, dc);
      return this.sense.combine(kspaceToImage(k));
    });
  }

  dispose(): void {
    this.sense.dispose();
    tf.dispose([this.maps.re, this.maps.im, this.images]);
  }
}
