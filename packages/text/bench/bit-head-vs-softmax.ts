/**
 * The O(log V) bit head against an O(V) softmax head at V = 65,536 (16 bits per token): parameters, the bytes of the
 * output activations and the time of one training pass (forward + backward of the loss) and of one sampling pass, per
 * batch of 256 token positions from hidden states of width 256, with the peak bytes of tensor memory each pass reaches
 * (tf.profile). The softmax head is Linear(256, V) with cross-entropy;
 * the bit head is BitLM's light CoBit denoiser over one token's 16 bits (EDM loss; sampling: 8 levels). Prints JSON.
 * `npx tsx bench/bit-head-vs-softmax.ts`.
 */
import { Linear, Rng, sparseCrossEntropy, tf } from '@nextx/core';
import { parseBitlmConfig } from '../src/bitlm/config.js';
import { BitLm } from '../src/bitlm/model.js';
import { cobitLossTerms } from '../src/cobit/loss.js';
import { rngNoise, sampleCobit } from '../src/cobit/sampler.js';
import { benchBackend, time } from './bench-common.js';

const machine = await benchBackend();
const V = 65_536;
const dim = 256;
const rows = 256;
const rng = Rng.seeded(0);
const hidden = tf.randomNormal([rows, dim], 0, 1, 'float32', 1);
const targets = Int32Array.from({ length: rows }, () => rng.int(0, V - 1));

/** Peak bytes of tensor memory above what was live before, while `f` runs. */
async function peakBytes(f: () => Promise<void> | void): Promise<number> {
  const info = await tf.profile(async () => {
    await f();
  });
  return info.peakBytes - tf.memory().numBytes;
}

const softmax = new Linear(dim, V, { bias: false, rng: Rng.seeded(1) });
const softmaxTrainPass = () => {
  const { value, grads } = tf.variableGrads(() => sparseCrossEntropy(softmax.forward(hidden), targets) as tf.Scalar);
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
};
const softmaxSamplePass = () => void tf.tidy(() => tf.multinomial(softmax.forward(hidden) as tf.Tensor2D, 1, 3)).dataSync();
const softmaxTrain = await time(softmaxTrainPass);
const softmaxSample = await time(softmaxSamplePass);
const softmaxPeak = { train: await peakBytes(softmaxTrainPass), sample: await peakBytes(softmaxSamplePass) };

const bitlm = new BitLm(parseBitlmConfig({ vocabSize: V, blockSize: 1, transformer: { dim, depth: 1, heads: 4, contextLength: 8 }, head: { dim: 64, depth: 1, heads: 2, contentDim: 8, hidden: 32 } }), Rng.seeded(2));
const conditions = tf.tidy(() => bitlm.condProj.forward(tf.reshape(hidden, [rows, 1, dim])));
const head = bitlm.denoiser(conditions);
const x0 = bitlm.codec.encode(tf.tensor2d(targets, [rows, 1], 'int32'));
const headParameters = bitlm.head.numParameters() + bitlm.condProj.numParameters();
const bitTrainPass = () => {
  const { value, grads } = tf.variableGrads(() =>
    tf.tidy(() => {
      const sigma = tf.fill([rows], 0.5);
      const xT = tf.add(x0, tf.mul(tf.randomNormal([rows, 16], 0, 1, 'float32', 4), 0.5));
      return cobitLossTerms(head, { x0, xT, sigma, x0Hat: null }).loss;
    }),
  );
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
};
const steps = 8;
const bitSamplePass = async () => {
  const r = await sampleCobit(head, { steps, schedule: 'karras' }, { batch: rows, noise: rngNoise(Rng.seeded(5)) });
  tf.dispose([r.x, r.probs]);
};
const bitTrain = await time(bitTrainPass);
const bitSample = await time(bitSamplePass);
const bitPeak = { train: await peakBytes(bitTrainPass), sample: await peakBytes(bitSamplePass) };
console.log(
  JSON.stringify(
    {
      bench: 'bit-head-vs-softmax-head',
      machine,
      vocab: V,
      hiddenWidth: dim,
      positions: rows,
      softmax: { parameters: V * dim, outputFloatsPerPosition: V, outputBytes: rows * V * 4, peakBytes: softmaxPeak, trainMs: softmaxTrain.wallMs, sampleMs: softmaxSample.wallMs },
      bitHead: { parameters: headParameters, outputFloatsPerPosition: 16, outputBytes: rows * 16 * 4, peakBytes: bitPeak, trainMs: bitTrain.wallMs, sampleMs: bitSample.wallMs, sampleLevels: steps },
      ratios: { parameters: (V * dim) / headParameters, outputBytes: V / 16, peakTrainBytes: softmaxPeak.train / bitPeak.train, peakSampleBytes: softmaxPeak.sample / bitPeak.sample, train: softmaxTrain.wallMs / bitTrain.wallMs, sample: softmaxSample.wallMs / bitSample.wallMs },
    },
    null,
    2,
  ),
);
