import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, initBackend, tf } from '@nextx/core';
import { adversarialTerms, discriminatorHingeLoss, generatorHingeLoss } from '../src/train/adversarial-loss.js';
import { ChunkDiscriminator } from '../src/train/chunk-discriminator.js';

const options = { tokenDim: 3, conditioningFrames: 1, tokensPerFrame: 4, hidden: 5 };

function random(shape: number[], seed: number): tf.Tensor {
  const rng = Rng.seeded(seed);
  return tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
}

describe('adversarial loss', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm' });
  });

  it('hinge losses match hand-computed values', () => {
    const real = tf.tensor1d([2, 0.5]);
    const fake = tf.tensor1d([-2, 0.5]);
    // mean(relu(1 − [2, 0.5])) = 0.25, mean(relu(1 + [−2, 0.5])) = 0.75; the generator's −mean([−2, 0.5]) = 0.75.
    expect(discriminatorHingeLoss(real, fake).dataSync()[0]).toBeCloseTo(1.0, 6);
    expect(generatorHingeLoss(fake).dataSync()[0]).toBeCloseTo(0.75, 6);
    tf.dispose([real, fake]);
  });

  it('scores each token from its own features, its conditioning and its frame’s mean — never another frame', () => {
    const d = new ChunkDiscriminator({ ...options, rng: Rng.seeded(1) });
    const tokens = random([2, 8, 3], 2);
    const conditioning = random([2, 8, 3], 3);
    const base = d.logits(tokens, conditioning);
    expect(base.shape).toEqual([2, 8]);
    // Perturb token 1 of frame 0 of clip 0: frame 0's logits change, frame 1's and clip 1's do not.
    const bumped = tf.tensorScatterUpdate(tokens, tf.tensor2d([[0, 1]], [1, 2], 'int32'), tf.tensor2d([[5, -5, 5]]));
    const moved = tf.sub(d.logits(bumped, conditioning), base).arraySync() as number[][];
    for (let i = 0; i < 4; i++) expect(Math.abs(moved[0]?.[i] as number)).toBeGreaterThan(1e-6);
    for (let i = 4; i < 8; i++) expect(moved[0]?.[i]).toBe(0);
    expect((moved[1] as number[]).every((v) => v === 0)).toBe(true);
    const frozen = d.logits(tokens, conditioning, true);
    expect(Array.from(frozen.dataSync())).toEqual(Array.from(base.dataSync()));
    d.dispose();
  });

  it('one sum gives the discriminator only its hinge gradient and the prediction only the weighted generator gradient', () => {
    const d = new ChunkDiscriminator({ ...options, rng: Rng.seeded(4) });
    const truth = random([2, 8, 3], 5);
    const predicted = tf.variable(random([2, 8, 3], 6));
    const conditioning = random([2, 8, 3], 7);
    const trueConditioning = random([2, 8, 3], 8);
    const weight = 0.3;
    const params = d.parameters();
    const combined = tf.variableGrads(
      () => adversarialTerms(d, { predicted, truth, conditioning, trueConditioning }, weight).total,
      [...params, predicted],
    );
    // The references, each side on its own with the plain forward pass.
    const dOnly = tf.variableGrads(
      () => discriminatorHingeLoss(d.logits(truth, trueConditioning), d.logits(tf.clone(predicted), conditioning)),
      params,
    );
    const gOnly = tf.grad((x: tf.Tensor) => tf.mul(generatorHingeLoss(d.logits(x, conditioning)), weight))(predicted);
    let largest = 0;
    for (const p of params) {
      const got = combined.grads[p.name] as tf.Tensor;
      const want = dOnly.grads[p.name] as tf.Tensor;
      expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]).toBeLessThan(1e-6);
      largest = Math.max(largest, tf.max(tf.abs(want)).dataSync()[0] as number);
    }
    // (The output bias's own gradient is 0 while no logit is past the hinge: −1 from the real side, +1 from the fake.)
    expect(largest).toBeGreaterThan(1e-3);
    const gotInput = combined.grads[predicted.name] as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(gotInput, gOnly))).dataSync()[0]).toBeLessThan(1e-6);
    expect(tf.max(tf.abs(gOnly)).dataSync()[0]).toBeGreaterThan(1e-4);
    d.dispose();
  });
});
