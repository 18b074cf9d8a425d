/**
 * The mean training image of each Fashion-MNIST class, as the demo checkpoint sees its data (28×28 padded to 32×32,
 * pixels in [0, 1]), for the demo test's class-conditional check (CI has no Fashion-MNIST):
 *   npx tsx packages/vision/scripts/make-class-means.ts [<dir with the IDX files>] packages/vision/test/fixtures/fashion-mnist-class-means/class-means.safetensors
 * Reads Debian's dataset-fashion-mnist by default. Writes `means` F32 [10, 32, 32] and `counts` I32 [10].
 */
import { tf, initBackend, writeSafetensors } from '@nextx/core';
import { DEBIAN_FASHION_MNIST_DIR, fashionMnistPixels, readFashionMnist } from '../src/data/fashion-mnist.js';

const args = process.argv.slice(2);
const out = args.pop();
const dir = args[0] ?? DEBIAN_FASHION_MNIST_DIR;
if (!out) throw new Error('usage: make-class-means.ts [<fashion-mnist dir>] <out.safetensors>');
await initBackend({ prefer: 'cpu' });
const train = readFashionMnist('train', dir);
const size = 32;
const plane = size * size;
const sums = new Float64Array(10 * plane);
const counts = new Int32Array(10);
const chunk = 1000;
for (let start = 0; start < train.count; start += chunk) {
  const indices = Array.from({ length: Math.min(chunk, train.count - start) }, (_, i) => start + i);
  const pixels = fashionMnistPixels(train, indices, size); // [−1, 1]
  indices.forEach((index, n) => {
    const label = train.labels[index] as number;
    counts[label] = (counts[label] as number) + 1;
    for (let p = 0; p < plane; p++) sums[label * plane + p] = (sums[label * plane + p] as number) + ((pixels[n * plane + p] as number) + 1) / 2;
  });
}
const means = Float32Array.from(sums, (s, i) => s / (counts[Math.floor(i / plane)] as number));
const tensors = { means: tf.tensor3d(means, [10, size, size]), counts: tf.tensor1d(counts, 'int32') };
writeSafetensors(out, tensors, { metadata: { source: `Fashion-MNIST train split (${train.count} images), packages/vision/scripts/make-class-means.ts` } });
tf.dispose(Object.values(tensors));
console.log(`wrote ${out}: class counts ${Array.from(counts).join(', ')}`);
