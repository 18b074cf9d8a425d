import { InputError, Rng, SeededBatchSource, logNormalSigmas, normalsFrom, tf, type TrainResult } from '@nextx/core';
import { tokenizerSpecOf } from '../checkpoint/tokenizer-files.js';
import { cobitLossTerms, hostBatchTensors, prepareHostBatch, type HostCobitBatch } from '../cobit/loss.js';
import type { TextTokenizer } from '../tokenizers/text-tokenizer.js';
import { runTraining, type TrainingRunOptions } from '../training/run-training.js';
import type { BitlmConfig } from './config.js';
import { BitLm } from './model.js';

/** One BitLM training batch: the clean context blocks and the noised target blocks (one row per block). */
export interface BitlmBatch {
  /** Context ids [B, m·k]: blocks 0 … m−1 of each window. */
  readonly context: Int32Array;
  readonly batchSize: number;
  /** Targets: blocks 1 … m, noised and pre-passed, B·m rows of k·b bits. */
  readonly targets: HostCobitBatch;
}

/**
 * Windows of (m + 1)·k ids. A share of them starts a document: the context block is then k separators (the block
 * generation starts from), followed by the document's first m·k ids.
 */
export function drawBitlmWindows(stream: Int32Array, documentStarts: Int32Array, batch: number, blocks: number, k: number, separator: number, startShare: number, rng: Rng): Int32Array {
  const width = (blocks + 1) * k;
  if (stream.length < width) throw new InputError(`the training stream has ${stream.length} tokens; BitLM windows need ${width}`);
  const out = new Int32Array(batch * width);
  const starts = documentStarts.filter((s) => s + blocks * k <= stream.length);
  for (let b = 0; b < batch; b++) {
    const row = out.subarray(b * width, (b + 1) * width);
    if (starts.length && rng.uniform() < startShare) {
      const s = starts[rng.int(0, starts.length - 1)] as number;
      row.fill(separator, 0, k);
      row.set(stream.subarray(s, s + blocks * k), k);
    } else {
      const s = rng.int(0, stream.length - width);
      row.set(stream.subarray(s, s + width));
    }
  }
  return out;
}

/** Positions that start a document: right after each separator (and 0). */
export function documentStartsOf(stream: Int32Array, separator: number): Int32Array {
  const starts = [0];
  for (let i = 0; i + 1 < stream.length; i++) if (stream[i] === separator) starts.push(i + 1);
  return Int32Array.from(starts);
}

/** Context ids and target-block bits of windows [B, (m + 1)·k]. */
export function splitWindows(model: BitLm, windows: Int32Array, batch: number): { context: Int32Array; x0: Float32Array; blocks: number } {
  const k = model.blockSize;
  const width = windows.length / batch;
  const blocks = width / k - 1;
  const context = new Int32Array(batch * blocks * k);
  const targets = new Int32Array(batch * blocks * k);
  for (let b = 0; b < batch; b++) {
    context.set(windows.subarray(b * width, b * width + blocks * k), b * blocks * k);
    targets.set(windows.subarray(b * width + k, (b + 1) * width), b * blocks * k);
  }
  return { context, x0: Float32Array.from(model.codec.encodeIds(targets)), blocks };
}

/**
 * Prepares a batch: the decoder runs once over the context (no gradient) for the self-conditioning pre-pass of the
 * head; σ is drawn per target block, log-normal (EDM's P_mean, P_std, kept in range).
 */
export function prepareBitlmBatch(model: BitLm, windows: Int32Array, batch: number, rng: Rng): BitlmBatch {
  const { context, x0, blocks } = splitWindows(model, windows, batch);
  const d = model.config.diffusion;
  const sigmas = logNormalSigmas(batch * blocks, d, normalsFrom(rng));
  const conditions = tf.tidy(() => model.conditions(tf.tensor2d(context, [batch, blocks * model.blockSize], 'int32')));
  try {
    return { context, batchSize: batch, targets: prepareHostBatch(model.denoiser(conditions), x0, sigmas, model.config.train.selfConditionProb, rng) };
  } finally {
    conditions.dispose();
  }
}

/**
 * BitLM's one-pass loss: the decoder over all context blocks at once (block-causal mask), the head over every target
 * block at once, each conditioned on the decoder state of the block before it — the CoBit loss on the target bits.
 */
export function bitlmLoss(model: BitLm, batch: BitlmBatch): tf.Scalar {
  return tf.tidy(() => {
    const length = batch.context.length / batch.batchSize;
    const conditions = model.conditions(tf.tensor2d(batch.context, [batch.batchSize, length], 'int32'));
    return cobitLossTerms(model.denoiser(conditions), hostBatchTensors(batch.targets)).loss;
  });
}

export interface TrainBitlmOptions extends TrainingRunOptions {
  readonly config: BitlmConfig;
  readonly tokenizer: TextTokenizer;
  readonly stream: Int32Array;
  readonly batchSize: number;
  /** Tokens per window after the context block (a multiple of k). */
  readonly seqLen: number;
  readonly seed?: number;
}

class BitlmSource extends SeededBatchSource<BitlmBatch> {
  private readonly starts: Int32Array;

  constructor(
    private readonly model: BitLm,
    private readonly stream: Int32Array,
    private readonly batchSize: number,
    private readonly blocks: number,
    private readonly separator: number,
    seed: number,
  ) {
    super(seed);
    this.starts = documentStartsOf(stream, separator);
  }

  protected draw(rng: Rng): BitlmBatch {
    const k = this.model.blockSize;
    const windows = drawBitlmWindows(this.stream, this.starts, this.batchSize, this.blocks, k, this.separator, this.model.config.train.documentStartShare, rng);
    return prepareBitlmBatch(this.model, windows, this.batchSize, rng);
  }
}

export function bitlmCheckpointConfig(config: BitlmConfig, tokenizer: TextTokenizer): Record<string, unknown> {
  return { ...config, tokenizer: tokenizerSpecOf(tokenizer) };
}

export async function trainBitlm(options: TrainBitlmOptions): Promise<{ model: BitLm; result: TrainResult & { readonly stoppedByBudget: boolean } }> {
  const seed = options.seed ?? 0;
  const model = new BitLm(options.config, Rng.seeded(seed));
  const k = options.config.blockSize;
  if (options.seqLen % k !== 0) throw new InputError(`--seq-len ${options.seqLen} must be a multiple of the block size ${k}`);
  try {
    const result = await runTraining<BitlmBatch>(
      {
        model,
        source: new BitlmSource(model, options.stream, options.batchSize, options.seqLen / k, options.tokenizer.separatorId, seed + 2),
        tokenizer: options.tokenizer,
        modelConfig: bitlmCheckpointConfig(options.config, options.tokenizer),
        tokensPerBatch: (batch) => batch.context.length,
        loss: (batch) => bitlmLoss(model, batch),
      },
      options,
    );
    return { model, result };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
