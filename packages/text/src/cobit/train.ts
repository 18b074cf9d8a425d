import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  BitCodec,
  Rng,
  SeededBatchSource,
  Trainer,
  tf,
  type ProgressListener,
  type TrainerConfigInput,
  type TrainResult,
} from '@nextx/core';
import type { TextTokenizer } from '../tokenizers/text-tokenizer.js';
import { drawWindows } from '../data/token-stream.js';
import { tokenizerFiles, tokenizerSpecOf } from '../checkpoint/tokenizer-files.js';
import type { CobitConfig } from './config.js';
import { EntropyController, entropyOptionsFromCfg } from './entropy-controller.js';
import { ENTROPY_FILE, profileTensors, readJsonFile } from './load.js';
import { cobitLossTerms, hostBatchTensors, prepareHostBatch, type HostCobitBatch } from './loss.js';
import { CobitNetwork } from './network/cobit-network.js';
import { initCobitWeights } from './network/init-weights.js';

export const ENTROPY_STATE = 'entropy_state';

export interface TrainCobitOptions {
  readonly config: CobitConfig;
  readonly tokenizer: TextTokenizer;
  /** The training token stream (documents joined by the separator). */
  readonly stream: Int32Array;
  readonly batchSize: number;
  readonly trainer: TrainerConfigInput;
  readonly checkpointDir: string;
  /** Continue from the checkpoint in checkpointDir when there is one (default true). */
  readonly resume?: boolean;
  readonly seed?: number;
  readonly metricsFile?: string;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

export interface TrainCobitResult {
  readonly net: CobitNetwork;
  readonly controller: EntropyController;
  readonly result: TrainResult;
}

/** Windows of T tokens → noised, pre-passed batches (official _step_continuous up to the main pass). */
class CobitBatchSource extends SeededBatchSource<HostCobitBatch> {
  private readonly codec: BitCodec;

  constructor(
    private readonly net: CobitNetwork,
    private readonly controller: EntropyController,
    private readonly step: () => number,
    private readonly stream: Int32Array,
    private readonly batchSize: number,
    seed: number,
  ) {
    super(seed);
    this.codec = new BitCodec({ vocabSize: net.sizes.V, width: net.sizes.b });
  }

  protected draw(rng: Rng): HostCobitBatch {
    const { ids } = drawWindows(this.stream, this.batchSize, this.net.sizes.T, rng);
    const x0 = Float32Array.from(this.codec.encodeIds(ids));
    const sigmas = this.controller.drawSigmas(this.batchSize, this.step(), rng);
    return prepareHostBatch(this.net, x0, sigmas, this.net.config.cfg.train.self_condition_prob, rng);
  }
}

/**
 * Trains CoBit as the official trainer does (spec 7–8): log-normal σ, mixed with draws from the entropy profile after
 * the warm-up; EDM-weighted binary score matching with the self-conditioning pre-pass; each step's (σ, error) pairs
 * feed the profile, rebuilt every `entropy_update_every_steps`. Every checkpoint holds the weights (official names),
 * the config, the tokenizer, the current profile (entropy.safetensors) and the FIFO (entropy_state.json).
 */
export async function trainCobit(options: TrainCobitOptions): Promise<TrainCobitResult> {
  const { config, checkpointDir } = options;
  const seed = options.seed ?? 0;
  const net = new CobitNetwork(config, Rng.seeded(seed));
  initCobitWeights(net, Rng.seeded(seed + 1));
  const entropyOptions = entropyOptionsFromCfg(config.cfg);
  const resuming = (options.resume ?? true) && existsSync(join(checkpointDir, 'training_state.json'));
  const controller = resuming ? EntropyController.fromState(entropyOptions, readJsonFile(join(checkpointDir, `${ENTROPY_STATE}.json`)), checkpointDir) : new EntropyController(entropyOptions);
  const pending: Array<{ sigma: Float32Array; metric: tf.Tensor }> = [];
  let trainer: Trainer<HostCobitBatch> | undefined;
  const source = new CobitBatchSource(net, controller, () => trainer?.step ?? 0, options.stream, options.batchSize, seed + 2);
  const modelConfig = { model: 'text/cobit', cfg: config.cfg, vocabSize: config.vocabSize, tokenizer: tokenizerSpecOf(options.tokenizer) };
  trainer = new Trainer<HostCobitBatch>({
    model: net,
    source,
    config: options.trainer,
    checkpointDir,
    modelConfig,
    ...(options.metricsFile ? { metricsFile: options.metricsFile } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    tokensPerBatch: (batch) => batch.rows * net.sizes.T,
    loss: (batch) => {
      const terms = cobitLossTerms(net, hostBatchTensors(batch));
      pending.push({ sigma: batch.sigma, metric: tf.keep(terms.metric) });
      return terms.loss;
    },
    checkpointExtras: () => ({
      tensorFiles: controller.profile ? { [ENTROPY_FILE.replace('.safetensors', '')]: profileTensors(controller.profile) } : {},
      jsonFiles: { [ENTROPY_STATE]: controller.state(), ...tokenizerFiles(options.tokenizer) },
    }),
    onProgress: (event) => {
      for (const { sigma, metric } of pending.splice(0)) {
        const values = metric.dataSync();
        metric.dispose();
        controller.record(sigma, values, event.completed);
      }
      options.onProgress?.({ ...event, metrics: { ...event.metrics, profileUpdates: controller.updates } });
    },
  });
  try {
    if (resuming) trainer.resume();
    const result = await trainer.run();
    // The saved profile is rebuilt from everything the FIFO holds at the end (the official code saves its latest tables).
    if (controller.buffer.size >= 2) {
      controller.rebuild();
      trainer.saveCheckpoint();
    }
    return { net, controller, result };
  } catch (error) {
    tf.dispose(pending.map((p) => p.metric));
    net.dispose();
    throw error;
  } finally {
    trainer.dispose();
  }
}
