import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, initBackend, tf } from '@nextx/core';
import { adversarialTerms, discriminatorHingeLoss, discriminatorInput, generatorHingeLoss, referencePairs } from '../src/train/adversarial-loss.js';
import { FrameDiscriminator } from '../src/train/frame-discriminator.js';
import { ReferenceDiscriminator } from '../src/train/reference-discriminator.js';
import { tinyModel } from './helpers/tiny-model.js';

function random(shape: number[], seed: number): tf.Tensor {
  const rng = Rng.seeded(seed);
  return tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
}

const maxAbs = (t: tf.Tensor) => tf.max(tf.abs(t)).dataSync()[0] as number;
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => maxAbs(tf.sub(a, b));

/** Each parameter's gradient in `got` is the one in `want`, to 1e-3 of the largest (which must not vanish). */
function expectSameGradients(got: tf.NamedTensorMap, want: tf.NamedTensorMap, params: readonly tf.Variable[]): void {
  const largest = Math.max(...params.map((p) => maxAbs(want[p.name] as tf.Tensor)));
  expect(largest).toBeGreaterThan(1e-7);
  for (const p of params) expect(maxDiff(got[p.name] as tf.Tensor, want[p.name] as tf.Tensor)).toBeLessThan(1e-3 * largest);
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

  it('the discriminator gives a logit per quarter-size patch, each seeing only its neighbourhood; frozen scores the same', () => {
    tf.tidy(() => {
      const d = new FrameDiscriminator({ conditioningFrames: 1, hidden: 4, rng: Rng.seeded(1) });
      const frames = random([1, 32, 32, 2], 2) as tf.Tensor4D;
      const base = d.logits(frames);
      expect(base.shape).toEqual([1, 8, 8]);
      // A pixel in the top-left corner reaches the top-left patches only (receptive field 4 + 3·2 + 2·4 = 18 px).
      const bumped = tf.add(frames, tf.pad(tf.ones([1, 1, 1, 2]), [[0, 0], [0, 31], [0, 31], [0, 0]])) as tf.Tensor4D;
      const moved = tf.abs(tf.sub(d.logits(bumped), base)).arraySync() as number[][][];
      expect(moved[0]?.[0]?.[0]).toBeGreaterThan(1e-6);
      expect(moved[0]?.[7]?.[7]).toBe(0);
      expect(maxDiff(d.logits(frames, true), base)).toBeLessThan(1e-5);
      d.dispose();
    });
  });

  it('stacks each decoded frame with the decoded frames its chunk is conditioned on (zeros at the start and after a gap)', () => {
    tf.tidy(() => {
      const model = tinyModel({ lastFrameConditioning: true, conditioningFrames: 2 });
      const frames = [0, 1, 2, 3, 10, 11];
      const tokens = random([1, 6 * model.layout.tokensPerFrame, model.layout.tokenDim], 3);
      const context = random([1, 6 * model.layout.tokensPerFrame, model.layout.tokenDim], 4);
      const input = discriminatorInput(model, model.tokensToFrames(tokens), model.tokensToFrames(context), frames, 2);
      expect(input.shape).toEqual([6, 16, 16, 3]);
      const own = model.tokensToFrames(tokens).reshape([6, 16, 16]);
      const seen = model.tokensToFrames(context).reshape([6, 16, 16]);
      const channel = (c: number) => tf.squeeze(tf.slice(input, [0, 0, 0, c], [-1, -1, -1, 1]), [3]);
      const frame = (t: tf.Tensor, i: number) => tf.slice(t, [i, 0, 0], [1, -1, -1]);
      expect(maxDiff(channel(0), own)).toBe(0);
      // Chunk 1 (frames 2, 3): conditioned on context frames 1 then 0.
      for (const i of [2, 3]) {
        expect(maxDiff(frame(channel(1), i), frame(seen, 1))).toBe(0);
        expect(maxDiff(frame(channel(2), i), frame(seen, 0))).toBe(0);
      }
      // Chunk 0 (the start) and chunk 2 (frames 10, 11, after a gap): nothing before them in the clip.
      for (const i of [0, 1, 4, 5]) expect(maxAbs(tf.slice(input, [i, 0, 0, 1], [1, -1, -1, 2]))).toBe(0);
      model.dispose();
    });
  });

  it('an unconditioned discriminator judges the frames alone: the context does not change its terms', () => {
    tf.tidy(() => {
      const model = tinyModel({ lastFrameConditioning: true, conditioningFrames: 2 });
      const d = new FrameDiscriminator({ conditioningFrames: 0, hidden: 4, rng: Rng.seeded(8) });
      const frames = [0, 1, 2, 3];
      const shape = [1, 4 * model.layout.tokensPerFrame, model.layout.tokenDim];
      const [truth, predicted] = [random(shape, 9), random(shape, 10)];
      const input = discriminatorInput(model, model.tokensToFrames(predicted), model.tokensToFrames(random(shape, 11)), frames, 0);
      expect(input.shape).toEqual([4, 16, 16, 1]);
      expect(maxDiff(input, model.tokensToFrames(predicted).reshape([4, 16, 16, 1]))).toBe(0);
      const terms = (context: tf.Tensor) => adversarialTerms(model, d, { predicted, truth, context, frames }, 1).total.dataSync()[0] as number;
      expect(terms(random(shape, 12))).toBe(terms(random(shape, 13)));
      // While a conditioned one (through the untrained decoder the difference is small, but not zero) sees them.
      const conditioned = new FrameDiscriminator({ conditioningFrames: 2, hidden: 4, rng: Rng.seeded(8) });
      const logitsWith = (seed: number) => conditioned.logits(discriminatorInput(model, model.tokensToFrames(predicted), model.tokensToFrames(random(shape, seed)), frames, 2));
      expect(maxDiff(logitsWith(12), logitsWith(13))).toBeGreaterThan(0);
      d.dispose();
      conditioned.dispose();
      model.dispose();
    });
  });

  it('one sum gives the discriminator only its hinge gradient and the prediction only the weighted generator gradient', () => {
    const model = tinyModel({ lastFrameConditioning: true, conditioningFrames: 2 });
    const d = new FrameDiscriminator({ conditioningFrames: 2, hidden: 4, rng: Rng.seeded(4) });
    const frames = [0, 1, 2, 3];
    const shape = [2, 4 * model.layout.tokensPerFrame, model.layout.tokenDim];
    const truth = random(shape, 5);
    const predicted = tf.variable(random(shape, 6));
    const context = random(shape, 7);
    const weight = 0.3;
    const params = d.parameters();
    const combined = tf.variableGrads(() => adversarialTerms(model, d, { predicted, truth, context, frames }, weight).total, [...params, predicted]);
    // The references, each side on its own with the plain forward pass.
    const dOnly = tf.variableGrads(
      () => {
        const decode = (t: tf.Tensor) => model.tokensToFrames(t);
        const real = d.logits(discriminatorInput(model, decode(truth), decode(truth), frames, 2));
        return discriminatorHingeLoss(real, d.logits(discriminatorInput(model, decode(tf.clone(predicted)), decode(context), frames, 2)));
      },
      params,
    );
    const gOnly = tf.grad((x: tf.Tensor) => tf.mul(generatorHingeLoss(d.logits(discriminatorInput(model, model.tokensToFrames(x), model.tokensToFrames(context), frames, 2))), weight))(predicted);
    expectSameGradients(combined.grads, dOnly.grads, params);
    // (Small through the untrained decoder, so compared relative to its size.)
    expect(maxAbs(gOnly)).toBeGreaterThan(1e-9);
    expect(maxDiff(combined.grads[predicted.name] as tf.Tensor, gOnly)).toBeLessThan(1e-4 * maxAbs(gOnly));
    tf.dispose([...Object.values(combined.grads), combined.value, ...Object.values(dOnly.grads), dOnly.value, gOnly, truth, predicted, context]);
    d.dispose();
    model.dispose();
  });

  it('the reference discriminator scores a pair the same wherever the item is, and differently against another reference', () => {
    tf.tidy(() => {
      const d = new ReferenceDiscriminator({ hidden: 4, rng: Rng.seeded(20) });
      // An 8 × 8 item on a 64 × 64 canvas, far from the borders; two stride-2 layers make a 4-pixel shift exact.
      const item = random([8, 8], 21);
      const at = (row: number, col: number) => tf.pad(item, [[row, 56 - row], [col, 56 - col]]).reshape([1, 64, 64, 1]) as tf.Tensor4D;
      const reference = at(20, 36);
      const here = d.logits(at(24, 24), reference).dataSync()[0] as number;
      expect(d.logits(at(32, 28), reference).dataSync()[0]).toBeCloseTo(here, 5);
      // A patch discriminator's logits at the item's old place change when it moves; this one asks which item, not where.
      const other = tf.pad(random([8, 8], 22), [[20, 36], [36, 20]]).reshape([1, 64, 64, 1]) as tf.Tensor4D;
      expect(Math.abs((d.logits(at(24, 24), other).dataSync()[0] as number) - here)).toBeGreaterThan(1e-4);
      // Nor is a second copy of the item free (a maximum alone would not see it; the mean does).
      const twice = tf.add(at(24, 24), at(8, 44)) as tf.Tensor4D;
      expect(Math.abs((d.logits(twice, reference).dataSync()[0] as number) - here)).toBeGreaterThan(1e-4);
      d.dispose();
    });
  });

  it('pairs every frame after the first chunk with the clip’s first true frame', () => {
    tf.tidy(() => {
      // Frame f of clip b is filled with 10·b + f (truth) and −(10·b + f) (predictions).
      const values = Array.from({ length: 2 * 4 }, (_, i) => 10 * Math.floor(i / 4) + (i % 4));
      const filled = (sign: number) => tf.tensor(values.flatMap((v) => Array<number>(9).fill(sign * v)), [2, 4, 3, 3]);
      const pairs = referencePairs(filled(1), filled(-1), 2);
      const firstPixel = (t: tf.Tensor) => Array.from(tf.slice(t, [0, 0, 0, 0], [-1, 1, 1, 1]).dataSync());
      expect(pairs.truth.shape).toEqual([4, 3, 3, 1]);
      expect(firstPixel(pairs.truth)).toEqual([2, 3, 12, 13]);
      expect(firstPixel(pairs.predicted)).toEqual([-2, -3, -12, -13]);
      expect(firstPixel(pairs.sink)).toEqual([0, 0, 10, 10]);
    });
  });

  it('with a reference discriminator, it gets only its own hinge gradient and the prediction both generator terms', () => {
    const model = tinyModel({ lastFrameConditioning: true, conditioningFrames: 2 });
    const d = new FrameDiscriminator({ conditioningFrames: 2, hidden: 4, rng: Rng.seeded(23) });
    const r = new ReferenceDiscriminator({ hidden: 4, rng: Rng.seeded(24) });
    const frames = [0, 1, 2, 3];
    const shape = [2, 4 * model.layout.tokensPerFrame, model.layout.tokenDim];
    const [truth, context] = [random(shape, 25), random(shape, 26)];
    const predicted = tf.variable(random(shape, 27));
    const weight = 0.7;
    const params = r.parameters();
    const combined = tf.variableGrads(() => adversarialTerms(model, d, { predicted, truth, context, frames }, weight, r).total, [...params, predicted]);
    // References written out by hand: frames 2 and 3 of each clip against frame 0 of that clip.
    const decoded = (t: tf.Tensor) => model.tokensToFrames(t);
    const later = (t: tf.Tensor) => tf.reshape(tf.slice(decoded(t), [0, 2, 0, 0], [-1, 2, -1, -1]), [4, 16, 16, 1]) as tf.Tensor4D;
    const sink = () => tf.reshape(tf.stack([0, 0, 1, 1].map((b) => tf.slice(decoded(truth), [b, 0, 0, 0], [1, 1, -1, -1]).reshape([16, 16]))), [4, 16, 16, 1]) as tf.Tensor4D;
    const rOnly = tf.variableGrads(() => discriminatorHingeLoss(r.logits(later(truth), sink()), r.logits(later(tf.clone(predicted)), sink())), params);
    const patchG = (x: tf.Tensor) => generatorHingeLoss(d.logits(discriminatorInput(model, decoded(x), decoded(context), frames, 2)));
    const gBoth = tf.grad((x: tf.Tensor) => tf.mul(tf.add(patchG(x), generatorHingeLoss(r.logits(later(x), sink()))), weight))(predicted);
    const gPatch = tf.grad((x: tf.Tensor) => tf.mul(patchG(x), weight))(predicted);
    expectSameGradients(combined.grads, rOnly.grads, params);
    expect(maxDiff(combined.grads[predicted.name] as tf.Tensor, gBoth)).toBeLessThan(1e-4 * maxAbs(gBoth));
    // The reference term does reach the prediction.
    expect(maxDiff(gBoth, gPatch)).toBeGreaterThan(1e-3 * maxAbs(gBoth));
    tf.dispose([...Object.values(combined.grads), combined.value, ...Object.values(rOnly.grads), rOnly.value, gBoth, gPatch, truth, predicted, context]);
    d.dispose();
    r.dispose();
    model.dispose();
  });
});
