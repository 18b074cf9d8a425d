import { z } from 'zod';
import { tf, InputError, SeededBatchSource, parseConfig, throwIfAborted, type ProgressListener, type Rng } from '@nextx/core';
import { toComplexTensor } from '../kspace/complex-array.js';
import { sampleMask } from '../kspace/cartesian-mask.js';
import { undersample } from '../kspace/data-consistency.js';
import { simulateAcquisition } from '../data/simulate-acquisition.js';
import type { RealImage } from '../data/resample.js';
import { LevelSet } from '../levels/level-set.js';
import type { AccelerationTokenizer } from '../tokenizer/acceleration-tokenizer.js';
import { levelCenterFraction, measurableLevels, type MriNasConfig } from './config.js';
import type { MriNasTokenBatch } from './loss.js';

export const trainingDataSchema = z.object({
  batchSize: z.number().int().positive().default(1),
  numCoils: z.number().int().min(1).max(64).default(8),
  /** k-space noise level, drawn uniformly from this range per slice (relative to the image maximum). */
  noise: z.tuple([z.number().nonnegative(), z.number().nonnegative()]).default([0.002, 0.01]),
  /** Largest background phase excursion (radians). */
  phase: z.number().nonnegative().default(Math.PI / 2),
  /** fastMRI mask function of the measured level. */
  maskKind: z.enum(['random', 'equispaced-fraction']).default('random'),
  /** Mirror a slice left–right with probability ½. */
  flip: z.boolean().default(true),
});
export type TrainingDataOptions = z.input<typeof trainingDataSchema>;

/** Level images of a batch of simulated acquisitions, host data. */
export interface LevelImageBatch {
  readonly batch: number;
  /** [B, K, N, N, 2], normalised by each slice's measured level. */
  readonly images: Float32Array;
  /** The measured level of each sample. */
  readonly inputLevels: Int32Array;
}

function flipped(image: RealImage): RealImage {
  const data = new Float32Array(image.data.length);
  for (let i = 0; i < image.height; i++) {
    for (let j = 0; j < image.width; j++) data[i * image.width + j] = image.data[i * image.width + image.width - 1 - j] as number;
  }
  return { ...image, data };
}

/** Checks that every slice has the model's size; returns the parsed options. */
function checkedOptions(config: MriNasConfig, slices: readonly RealImage[], options: TrainingDataOptions): z.output<typeof trainingDataSchema> {
  if (!slices.length) throw new InputError('training data: no slices');
  const n = config.imageSize;
  slices.forEach((s, i) => {
    if (s.height !== n || s.width !== n) throw new InputError(`training slice ${i} is ${s.height}×${s.width}; the model is ${n}×${n}`);
  });
  return parseConfig(trainingDataSchema, options, 'training data');
}

/**
 * One batch of training examples drawn from the Rng alone (so a checkpoint resumes them exactly): a random slice,
 * optionally mirrored, turned into a multi-coil acquisition (coil maps, phase and noise drawn fresh), a measured
 * level drawn uniformly among the measurable ones (`measurableLevels`) with a fastMRI mask, and the level images of
 * all levels.
 */
export function drawLevelImages(config: MriNasConfig, slices: readonly RealImage[], o: z.output<typeof trainingDataSchema>, rng: Rng): LevelImageBatch {
  const B = o.batchSize;
  const K = config.accelerations.length;
  const n = config.imageSize;
  const images = new Float32Array(B * K * n * n * 2);
  const inputLevels = new Int32Array(B);
  const measurable = measurableLevels(config);
  if (!measurable.length) throw new InputError(`no level of this model has ${config.imageSize}-column calibration enough for coil estimation`);
  for (let b = 0; b < B; b++) {
    const source = slices[rng.int(0, slices.length - 1)] as RealImage;
    const image = o.flip && rng.uniform() < 0.5 ? flipped(source) : source;
    const noise = o.noise[0] + (o.noise[1] - o.noise[0]) * rng.uniform();
    const acquisition = simulateAcquisition(image, { numCoils: o.numCoils, noise, phase: o.phase }, rng.fork());
    const inputLevel = measurable[rng.int(0, measurable.length - 1)] as number;
    const R = config.accelerations[inputLevel] as number;
    const mask = sampleMask(n, { kind: o.maskKind, acceleration: R, centerFraction: levelCenterFraction(config, R) }, rng);
    const full = toComplexTensor(acquisition.kspace);
    const measured = undersample(full, mask);
    const levels = LevelSet.prepare(config, { kspace: measured, mask }, rng.fork(), full);
    images.set(levels.images.dataSync() as Float32Array, b * K * n * n * 2);
    inputLevels[b] = inputLevel;
    levels.dispose();
    tf.dispose([full.re, full.im, measured.re, measured.im]);
  }
  return { batch: B, images, inputLevels };
}

/** A fixed set of simulated examples, drawn once (simulation costs more than a training step on small models). */
export interface ExamplePool {
  readonly size: number;
  /** [P, K, N, N, 2] */
  readonly images: Float32Array;
  /** [P] */
  readonly inputLevels: Int32Array;
}

/** Draws `size` examples (`drawLevelImages`, one at a time), reporting progress; stops on `signal`. */
export function buildExamplePool(
  config: MriNasConfig,
  slices: readonly RealImage[],
  options: TrainingDataOptions,
  size: number,
  rng: Rng,
  progress?: { onProgress?: ProgressListener; signal?: AbortSignal },
): ExamplePool {
  const o = checkedOptions(config, slices, { ...options, batchSize: 1 });
  const per = config.accelerations.length * config.imageSize * config.imageSize * 2;
  const images = new Float32Array(size * per);
  const inputLevels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    throwIfAborted(progress?.signal);
    const one = drawLevelImages(config, slices, o, rng);
    images.set(one.images, i * per);
    inputLevels[i] = one.inputLevels[0] as number;
    if ((i + 1) % 16 === 0 || i + 1 === size) progress?.onProgress?.({ stage: 'simulate', completed: i + 1, total: size, message: 'simulating acquisitions' });
  }
  return { size, images, inputLevels };
}

/** Random batches of a pool's level images, for the tokenizer. */
export class PoolImageSource extends SeededBatchSource<LevelImageBatch> {
  constructor(
    readonly pool: ExamplePool,
    readonly batchSize: number,
    seed: number,
  ) {
    super(seed);
  }

  protected draw(rng: Rng): LevelImageBatch {
    const per = this.pool.images.length / this.pool.size;
    const images = new Float32Array(this.batchSize * per);
    const inputLevels = new Int32Array(this.batchSize);
    for (let b = 0; b < this.batchSize; b++) {
      const i = rng.int(0, this.pool.size - 1);
      images.set(this.pool.images.subarray(i * per, (i + 1) * per), b * per);
      inputLevels[b] = this.pool.inputLevels[i] as number;
    }
    return { batch: this.batchSize, images, inputLevels };
  }
}

/** A pool encoded by the (frozen) tokenizer: each example's teacher-forcing batch of one. */
export interface EncodedPool {
  readonly size: number;
  readonly fhats: Float32Array;
  readonly targets: Int32Array;
  readonly measuredLatents: Float32Array;
  readonly inputLevels: Int32Array;
}

export function encodePool(tokenizer: AccelerationTokenizer, pool: ExamplePool, chunk = 16): EncodedPool {
  const parts: MriNasTokenBatch[] = [];
  const per = pool.images.length / pool.size;
  for (let start = 0; start < pool.size; start += chunk) {
    const n = Math.min(chunk, pool.size - start);
    parts.push(tokenBatchOf(tokenizer, pool.images.subarray(start * per, (start + n) * per), pool.inputLevels.subarray(start, start + n), n));
  }
  const join = <T extends Float32Array | Int32Array>(make: (n: number) => T, pick: (b: MriNasTokenBatch) => T): T => {
    const out = make(parts.reduce((s, b) => s + pick(b).length, 0));
    let at = 0;
    for (const b of parts) {
      out.set(pick(b), at);
      at += pick(b).length;
    }
    return out;
  };
  return {
    size: pool.size,
    fhats: join((n) => new Float32Array(n), (b) => b.fhats),
    targets: join((n) => new Int32Array(n), (b) => b.targets),
    measuredLatents: join((n) => new Float32Array(n), (b) => b.measuredLatents),
    inputLevels: Int32Array.from(pool.inputLevels),
  };
}

/** Random teacher-forcing batches of an encoded pool, for the transformer. */
export class PoolTokenSource extends SeededBatchSource<MriNasTokenBatch> {
  constructor(
    readonly pool: EncodedPool,
    readonly batchSize: number,
    seed: number,
  ) {
    super(seed);
  }

  protected draw(rng: Rng): MriNasTokenBatch {
    const { pool, batchSize: B } = this;
    const picks = Array.from({ length: B }, () => rng.int(0, pool.size - 1));
    const gather = <T extends Float32Array | Int32Array>(source: T, make: (n: number) => T): T => {
      const per = source.length / pool.size;
      const out = make(B * per);
      picks.forEach((i, b) => out.set(source.subarray(i * per, (i + 1) * per), b * per));
      return out;
    };
    return {
      batch: B,
      fhats: gather(pool.fhats, (n) => new Float32Array(n)),
      targets: gather(pool.targets, (n) => new Int32Array(n)),
      measuredLatents: gather(pool.measuredLatents, (n) => new Float32Array(n)),
      inputLevels: gather(pool.inputLevels, (n) => new Int32Array(n)),
    };
  }
}

/** Encodes level images [B, K, N, N, 2] into the transformer's teacher-forcing batch. */
export function tokenBatchOf(tokenizer: AccelerationTokenizer, images: Float32Array, inputLevels: Int32Array, B: number): MriNasTokenBatch {
  const config = tokenizer.config;
  const K = config.accelerations.length;
  const n = config.imageSize;
  const g = tokenizer.grid;
  const cvae = config.tokenizer.latentDim;
  const out = tf.tidy(() => {
    const latents = tokenizer.encodeLatents(tf.tensor5d(images, [B, K, n, n, 2]));
    const q = tokenizer.quantizeLevels(latents);
    const fhats = tf.reshape(tf.stack(q.fhats.slice(0, K - 1), 1), [B, K - 1, g * g, cvae]);
    const targets = tf.concat(q.indices.slice(1), 1);
    // row b·K + level of the [B·K, h, w, C] latents (wasm's gather with batchDims reads out of bounds)
    const rows = Int32Array.from(inputLevels, (level, b) => b * K + level);
    const measured = tf.gather(tf.reshape(tf.stack(latents, 1), [B * K, g, g, cvae]), tf.tensor1d(rows, 'int32'));
    return { fhats, targets, measured };
  });
  const batch: MriNasTokenBatch = {
    batch: B,
    fhats: Float32Array.from(out.fhats.dataSync() as Float32Array),
    targets: Int32Array.from(out.targets.dataSync() as Int32Array),
    measuredLatents: Float32Array.from(out.measured.dataSync() as Float32Array),
    inputLevels: Int32Array.from(inputLevels),
  };
  tf.dispose(Object.values(out));
  return batch;
}
