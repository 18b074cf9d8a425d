import { join } from 'node:path';
import { BitCodec, Rng, SeededBatchSource, tf, type TrainResult } from '@nextx/core';
import { tokenizerSpecOf } from '../checkpoint/tokenizer-files.js';
import { drawWindows } from '../data/token-stream.js';
import type { TextTokenizer } from '../tokenizers/text-tokenizer.js';
import { hasTrainingState, runTraining, type TrainingRunOptions } from '../training/run-training.js';
import type { CobitConfig } from './config.js';
import { EntropyController, entropyOptionsFromCfg } from './entropy-controller.js';
import { ENTROPY_FILE, profileTensors, readJsonFile } from './load.js';
import { cobitLossTerms, hostBatchTensors, prepareHostBatch, type HostCobitBatch } from './loss.js';
import { CobitNetwork } from './network/cobit-network.js';
import { initCobitWeights } from './network/init-weights.js';

export const ENTROPY_STATE = 'entropy_state';

export interface TrainCobitOptions extends TrainingRunOptions {
  readonly config: CobitConfig;
  readonly tokenizer: TextTokenizer;
  /** The training token stream (documents joined by the separator). */
  readonly stream: Int32Array;
  readonly batchSize: number;
  readonly seed?: number;
}

export interface TrainCobitResult {
  readonly net: CobitNetwork;
  readonly controller: EntropyController;
  readonly result: TrainResult & { readonly stoppedByBudget: boolean };
}

/** The config.json of a CoBit checkpoint. */
export function cobitCheckpointConfig(config: CobitConfig, tokenizer: TextTokenizer): Record<string, unknown> {
  return { model: 'text/cobit', cfg: config.cfg, vocabSize: config.vocabSize, tokenizer: tokenizerSpecOf(tokenizer) };
}

/** Windows of T tokens → noised, pre-passed batches (official _step_continuous up to the main pass). */
class CobitBatchSource extends SeededBatchSource<HostCobitBatch> {
  private readonly codec: BitCodec;

  constructor(
    private readonly net: CobitNetwork,
    private readonly controller: () => EntropyController,
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
    const sigmas = this.controller().drawSigmas(this.batchSize, this.step(), rng);
    return prepareHostBatch(this.net, x0, sigmas, this.net.config.cfg.train.self_condition_prob, rng);
  }
}

/**
 * Trains CoBit as the official trainer does (spec 7–8): log-normal σ, mixed with draws from the entropy profile after
 * the warm-up; EDM-weighted binary score matching with the self-conditioning pre-pass; each step's (σ, error) pairs
 * feed the profile, rebuilt every `entropy_update_every_steps` and once more before the last save. Every checkpoint
 * holds the weights (official names), the config, the tokenizer, the current profile (entropy.safetensors) and the
 * FIFO (entropy_state.json), so a resumed run continues exactly.
 */
export async function trainCobit(options: TrainCobitOptions): Promise<TrainCobitResult> {
  const { config } = options;
  const seed = options.seed ?? 0;
  const net = new CobitNetwork(config, Rng.seeded(seed));
  initCobitWeights(net, Rng.seeded(seed + 1));
  const entropyOptions = entropyOptionsFromCfg(config.cfg);
  let controller = new EntropyController(entropyOptions);
  const pending: Array<{ sigma: Float32Array; metric: tf.Tensor }> = [];
  let steps = 0;
  const source = new CobitBatchSource(net, () => controller, () => steps, options.stream, options.batchSize, seed + 2);
  try {
    const result = await runTraining<HostCobitBatch>(
      {
        model: net,
        source,
        tokenizer: options.tokenizer,
        modelConfig: cobitCheckpointConfig(config, options.tokenizer),
        tokensPerBatch: (batch) => batch.rows * net.sizes.T,
        loss: (batch) => {
          const terms = cobitLossTerms(net, hostBatchTensors(batch));
          pending.push({ sigma: batch.sigma, metric: tf.keep(terms.metric) });
          return terms.loss;
        },
        extras: () => ({
          tensorFiles: { [ENTROPY_FILE.replace('.safetensors', '')]: profileTensors(controller.profileForCheckpoint()) },
          jsonFiles: { [ENTROPY_STATE]: controller.state() },
        }),
        afterStep: (step) => {
          steps = step;
          for (const { sigma, metric } of pending.splice(0)) {
            const values = metric.dataSync();
            metric.dispose();
            controller.record(sigma, values, step);
          }
          return { profileUpdates: controller.updates };
        },
        onResume: (dir) => {
          controller = EntropyController.fromState(entropyOptions, readJsonFile(join(dir, `${ENTROPY_STATE}.json`)), dir);
          steps = (readJsonFile(join(dir, 'training_state.json')) as { step: number }).step;
        },
        beforeFinalSave: () => {
          if (controller.buffer.size >= 2) controller.rebuild();
        },
      },
      options,
    );
    return { net, controller, result };
  } catch (error) {
    net.dispose();
    throw error;
  } finally {
    tf.dispose(pending.map((p) => p.metric));
  }
}

export { hasTrainingState };
