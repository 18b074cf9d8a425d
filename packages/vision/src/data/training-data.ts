import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError, Rng, type ProgressListener } from '@nextx/core';
import { DEBIAN_FASHION_MNIST_DIR, FASHION_MNIST_CLASSES, fashionMnistPixels, readFashionMnist, type FashionMnistSplitData } from './fashion-mnist.js';
import type { ImageDataset } from './image-batch-source.js';
import { listImageFolder, loadImageFolder, type LoadedImageFolder } from './image-folder.js';

/** Training and held-out images of one data source, fitted to the model's size. */
export interface TrainingData {
  readonly kind: 'fashion-mnist' | 'image-folder';
  readonly path: string;
  /** Class names in label order. */
  readonly classes: readonly string[];
  readonly channels: 1 | 3;
  readonly train: ImageDataset;
  readonly heldOut: ImageDataset;
}

export interface OpenTrainingDataOptions {
  /** Side of the model's square images. */
  readonly size: number;
  /** Model channels; by default Fashion-MNIST's 1, or for a folder 1 when every PNG is grayscale, else 3. */
  readonly channels?: 1 | 3;
  /** Use only the first N training images (default all; 0 loads none, for evaluation). */
  readonly trainImages?: number;
  /** Held-out images (Fashion-MNIST: the first N of t10k; a folder: see openTrainingData). */
  readonly heldOutImages: number;
  /** Seed of a folder's train / held-out split. */
  readonly seed: number;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

const IDX_STEM = 'train-images-idx3-ubyte';

/** Whether a folder holds the Fashion-MNIST IDX files. */
export function isFashionMnistDir(dir: string): boolean {
  return existsSync(join(dir, `${IDX_STEM}.gz`)) || existsSync(join(dir, IDX_STEM));
}

/**
 * `--data`: a folder with the Fashion-MNIST IDX files (default Debian's /usr/share/datasets/fashion-mnist), or a
 * folder of PNGs with one sub-folder per class. A PNG folder with `train/` (and `test/` or `val/`) inside uses those
 * as the splits; otherwise `heldOutImages` chosen at random (seeded; at most a fifth, at least one) are held out and
 * the rest is trained on.
 */
export async function openTrainingData(path: string | undefined, options: OpenTrainingDataOptions): Promise<TrainingData> {
  const dir = resolve(path ?? DEBIAN_FASHION_MNIST_DIR);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    const hint = path === undefined ? ' (the default: install the Debian package dataset-fashion-mnist, or pass --data <dir>)' : '';
    throw new InputError(`--data ${dir}: folder not found${hint}`);
  }
  return isFashionMnistDir(dir) ? openFashionMnist(dir, options) : openImageFolder(dir, options);
}

function openFashionMnist(dir: string, options: OpenTrainingDataOptions): TrainingData {
  if ((options.channels ?? 1) !== 1) throw new InputError(`Fashion-MNIST is grayscale: the model needs in_channels 1, not ${options.channels}`);
  if (options.size < 28) throw new InputError(`Fashion-MNIST images are 28×28: the model's image size (${options.size}) must be at least 28`);
  const train = readFashionMnist('train', dir);
  const test = readFashionMnist('t10k', dir);
  const of = (split: FashionMnistSplitData, count: number): ImageDataset => ({
    count,
    size: options.size,
    channels: 1,
    pixels: (indices) => fashionMnistPixels(split, indices, options.size),
    label: (i) => split.labels[i] as number,
  });
  return {
    kind: 'fashion-mnist',
    path: dir,
    classes: FASHION_MNIST_CLASSES,
    channels: 1,
    train: of(train, Math.min(options.trainImages ?? train.count, train.count)),
    heldOut: of(test, Math.min(options.heldOutImages, test.count)),
  };
}

async function openImageFolder(dir: string, options: OpenTrainingDataOptions): Promise<TrainingData> {
  const trainDir = join(dir, 'train');
  const testDir = ['test', 'val'].map((name) => join(dir, name)).find((d) => existsSync(d));
  if (existsSync(trainDir) && testDir) {
    const rng = Rng.seeded(options.seed);
    const trainPicks = somePicks(listImageFolder(trainDir).files.length, options.trainImages, rng);
    const train = await loadImageFolder(trainDir, { ...loadOptions(options), ...trainPicks });
    const testPicks = somePicks(listImageFolder(testDir).files.length, options.heldOutImages, rng);
    const heldOut = await loadImageFolder(testDir, { ...loadOptions(options), channels: train.channels, ...testPicks });
    const unknown = heldOut.classes.find((c) => !train.classes.includes(c));
    if (unknown !== undefined) throw new InputError(`${testDir}: class folder '${unknown}' is not among the training classes (${train.classes.join(', ')})`);
    const relabelled = { ...heldOut, labels: Int32Array.from(heldOut.labels, (l) => train.classes.indexOf(heldOut.classes[l] as string)) };
    return { kind: 'image-folder', path: dir, classes: train.classes, channels: train.channels, train: datasetOf(train), heldOut: datasetOf(relabelled) };
  }
  const count = listImageFolder(dir).files.length;
  if (count < 2) throw new InputError(`--data ${dir}: one image; training needs at least two (one is held out for evaluation)`);
  const order = permutation(count, Rng.seeded(options.seed));
  const heldOutCount = Math.min(options.heldOutImages, Math.max(1, Math.floor(count / 5)));
  const trainPicks = order.slice(heldOutCount, heldOutCount + (options.trainImages ?? count));
  if (!trainPicks.length && options.trainImages !== 0) throw new InputError(`--data ${dir}: no images left to train on`);
  // One decoding pass over the images used, held-out first: both splits share the channel choice.
  const all = await loadImageFolder(dir, { ...loadOptions(options), indices: [...order.slice(0, heldOutCount), ...trainPicks] });
  const plane = all.size * all.size * all.channels;
  const part = (begin: number, end: number): LoadedImageFolder => ({
    ...all,
    files: all.files.slice(begin, end),
    pixels: all.pixels.subarray(begin * plane, end * plane),
    labels: all.labels.subarray(begin, end),
  });
  return {
    kind: 'image-folder',
    path: dir,
    classes: all.classes,
    channels: all.channels,
    train: datasetOf(part(heldOutCount, all.files.length)),
    heldOut: datasetOf(part(0, heldOutCount)),
  };
}

const loadOptions = (options: OpenTrainingDataOptions) => ({
  size: options.size,
  ...(options.channels ? { channels: options.channels } : {}),
  ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  ...(options.signal ? { signal: options.signal } : {}),
});

/** All files, or `n` of them drawn at random (a folder is sorted by class: its first files are all one class). */
const somePicks = (count: number, n: number | undefined, rng: Rng) => (n === undefined || n >= count ? {} : { indices: permutation(count, rng).slice(0, n) });

/** Fisher–Yates with the seeded Rng: the same seed gives the same split on every run (and on resume). */
function permutation(n: number, rng: Rng): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

function datasetOf(images: LoadedImageFolder): ImageDataset {
  const plane = images.size * images.size * images.channels;
  return {
    count: images.labels.length,
    size: images.size,
    channels: images.channels,
    label: (i) => images.labels[i] as number,
    pixels: (indices) => {
      const out = new Float32Array(indices.length * plane);
      for (let n = 0; n < indices.length; n++) {
        const i = indices[n] as number;
        if (i < 0 || i >= images.labels.length) throw new InputError(`image index ${i} outside 0..${images.labels.length - 1}`);
        out.set(images.pixels.subarray(i * plane, (i + 1) * plane), n * plane);
      }
      return out;
    },
  };
}
