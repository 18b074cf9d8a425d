import { tf } from '../tf.js';

/**
 * EDM preconditioning (Karras et al. 2022, Table 1) for x = x₀ + σ·ε with data of standard deviation σ_data:
 *   c_in = 1/√(σ² + σ_data²),  c_skip = σ_data²/(σ² + σ_data²),  c_out = σ·σ_data/√(σ² + σ_data²),  c_noise = ln(σ)/4,
 * and the loss weight λ(σ) = (σ² + σ_data²)/(σ·σ_data)² that makes the effective target unit-variance.
 * σ is a tensor (one per row, per token or per element); each factor has its shape.
 */
export interface EdmFactors {
  readonly cIn: tf.Tensor;
  readonly cSkip: tf.Tensor;
  readonly cOut: tf.Tensor;
  readonly cNoise: tf.Tensor;
}

export function edmPreconditioning(sigma: tf.Tensor, sigmaData: number): EdmFactors {
  return tf.tidy(() => {
    const total = tf.add(tf.square(sigma), sigmaData * sigmaData);
    const root = tf.sqrt(total);
    return {
      cIn: tf.div(1, root),
      cSkip: tf.div(sigmaData * sigmaData, total),
      cOut: tf.div(tf.mul(sigma, sigmaData), root),
      cNoise: tf.div(tf.log(sigma), 4),
    };
  });
}

/** c_in(σ) = 1/√(σ² + σ_data²) alone (models that take only the input scaling, e.g. CoBit). */
export function edmInputScale(sigma: tf.Tensor, sigmaData: number): tf.Tensor {
  return tf.tidy(() => tf.rsqrt(tf.add(tf.square(sigma), sigmaData * sigmaData)));
}

/** λ(σ) = (σ² + σ_data²)/(σ²·σ_data²), EDM's loss weight. */
export function edmLossWeight(sigma: tf.Tensor, sigmaData: number): tf.Tensor {
  return tf.tidy(() => {
    const s2 = tf.square(sigma);
    return tf.div(tf.add(s2, sigmaData * sigmaData), tf.mul(s2, sigmaData * sigmaData));
  });
}
