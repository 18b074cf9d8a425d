import { Rng, SeededBatchSource, type TrainResult } from '@nextx/core';
import { tokenizerSpecOf } from '../checkpoint/tokenizer-files.js';
import { drawWindows, type TokenWindows } from '../data/token-stream.js';
import type { TextTokenizer } from '../tokenizers/text-tokenizer.js';
import { runTraining, type TrainingRunOptions } from '../training/run-training.js';
import type { ArConfig } from './config.js';
import { ArModel } from './model.js';

export interface TrainArOptions extends TrainingRunOptions {
  readonly config: ArConfig;
  readonly tokenizer: TextTokenizer;
  readonly stream: Int32Array;
  readonly batchSize: number;
  /** Tokens per training window (T; each window holds T + 1 ids). */
  readonly seqLen: number;
  readonly seed?: number;
}

class WindowSource extends SeededBatchSource<TokenWindows> {
  constructor(
    private readonly stream: Int32Array,
    private readonly batchSize: number,
    private readonly width: number,
    seed: number,
  ) {
    super(seed);
  }

  protected draw(rng: Rng): TokenWindows {
    return drawWindows(this.stream, this.batchSize, this.width, rng);
  }
}

export function arCheckpointConfig(config: ArConfig, tokenizer: TextTokenizer): Record<string, unknown> {
  return { ...config, tokenizer: tokenizerSpecOf(tokenizer) };
}

/** Next-token cross-entropy on random windows of the stream (nanoGPT's recipe on core's Trainer). */
export async function trainAr(options: TrainArOptions): Promise<{ model: ArModel; result: TrainResult & { readonly stoppedByBudget: boolean } }> {
  const seed = options.seed ?? 0;
  const model = new ArModel(options.config, Rng.seeded(seed));
  try {
    const result = await runTraining<TokenWindows>(
      {
        model,
        source: new WindowSource(options.stream, options.batchSize, options.seqLen + 1, seed + 2),
        tokenizer: options.tokenizer,
        modelConfig: arCheckpointConfig(options.config, options.tokenizer),
        tokensPerBatch: (batch) => batch.batchSize * (batch.width - 1),
        loss: (batch) => model.loss(batch.ids, batch.batchSize),
      },
      options,
    );
    return { model, result };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
