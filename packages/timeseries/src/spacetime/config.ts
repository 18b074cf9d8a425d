import { z } from 'zod';
import { ConfigError, parseConfig } from '@nextx/core';

const positiveInt = z.number().int().positive();
const activation = z.enum(['gelu', 'relu', 'tanh', 'silu', 'sigmoid', 'identity']);

/**
 * The official SpaceTime configs (HazyResearch/spacetime, `SpaceTime(embedding_config, encoder_config,
 * decoder_config, output_config, inference_only, lag, horizon)`), as `{method, kwargs}` pairs under the official
 * names. Keys the official code accepts and ignores (`kernel_weights`, `kernel_train`, `seed`, the configured
 * `n_heads`, which `init_heads` recomputes) are accepted so that an official config loads as it is.
 */
const ignored = {
  kernel_weights: z.null().optional(),
  kernel_init: z.enum(['normal', 'xavier']).nullable().optional(),
  kernel_train: z.boolean().optional(),
  n_heads: positiveInt.optional(),
  seed: z.number().int().optional(),
};

/** The sizes every SSM layer takes (spec 5.1): channels, kernels, state size, and the channel map's repeats. */
const ssmSizes = {
  model_dim: positiveInt,
  n_kernels: positiveInt,
  kernel_dim: positiveInt,
  kernel_repeat: positiveInt.default(1),
  head_dim: positiveInt.default(1),
  ...ignored,
};

const companionKwargs = z
  .object({
    ...ssmSizes,
    skip_connection: z.boolean().default(true),
    norm_order: z.number().int().min(0).max(2).default(1),
  })
  .strict();

const closedLoopKwargs = companionKwargs
  .extend({ lag: positiveInt, horizon: positiveInt, use_initial: z.literal(false).default(false) })
  .strict();

/** What every fixed-kernel pre-processing SSM takes (no skip connection). */
const preprocessKwargs = z.object({ ...ssmSizes, skip_connection: z.literal(false).default(false) }).strict();

const differencingKwargs = preprocessKwargs.extend({ max_diff_order: positiveInt }).strict();
const movingAvgKwargs = preprocessKwargs.extend({ min_avg_window: positiveInt, max_avg_window: positiveInt }).strict();
const residualKwargs = movingAvgKwargs.extend({ max_diff_order: positiveInt }).strict();

const preConfig = z.discriminatedUnion('method', [
  z.object({ method: z.literal('identity'), kwargs: z.null().optional() }),
  z.object({ method: z.literal('differencing'), kwargs: differencingKwargs }),
  z.object({ method: z.literal('ma_residual'), kwargs: movingAvgKwargs }),
  z.object({ method: z.literal('residual'), kwargs: residualKwargs }),
]);

export const mlpKwargsSchema = z
  .object({
    input_dim: positiveInt,
    output_dim: positiveInt,
    hidden_dim: positiveInt.nullable().optional(),
    activation: activation.default('gelu'),
    dropout: z.number().min(0).lt(1).default(0),
    layernorm: z.boolean().default(false),
    n_layers: z.number().int().nonnegative().default(1),
    n_activations: z.number().int().nonnegative().default(0),
    pre_activation: z.boolean().default(false),
    input_shape: z.literal('bld').default('bld'),
    skip_connection: z.boolean().default(false),
    average_pool: z.null().optional(),
  })
  .strict();

const mlpConfig = z.discriminatedUnion('method', [
  z.object({ method: z.literal('identity'), kwargs: z.null().optional() }),
  z.object({ method: z.literal('mlp'), kwargs: mlpKwargsSchema }),
]);

const encoderBlock = z
  .object({
    input_dim: positiveInt.optional(),
    pre_config: preConfig,
    ssm_config: z.object({ method: z.literal('companion'), kwargs: companionKwargs }),
    mlp_config: mlpConfig,
    skip_connection: z.boolean(),
    skip_preprocess: z.boolean(),
  })
  .strict();

const decoderBlock = encoderBlock
  .extend({ ssm_config: z.object({ method: z.literal('closed_loop_companion'), kwargs: closedLoopKwargs }) })
  .strict();

const embeddingConfig = z.object({
  method: z.enum(['repeat', 'linear', 'identity']),
  kwargs: z.object({ input_dim: positiveInt, embedding_dim: positiveInt.nullable().optional() }).loose(),
});

export const spacetimeConfigSchema = z
  .object({
    embedding_config: embeddingConfig,
    encoder_config: z.object({ blocks: z.array(encoderBlock).min(1) }),
    decoder_config: z.object({ blocks: z.array(decoderBlock).length(1, 'the official network has exactly one decoder block') }),
    output_config: mlpConfig,
    inference_only: z.boolean().default(false),
    lag: positiveInt,
    horizon: positiveInt,
  })
  .strict();

export type SpacetimeConfig = z.infer<typeof spacetimeConfigSchema>;
export type EncoderBlockConfig = z.infer<typeof encoderBlock>;
export type DecoderBlockConfig = z.infer<typeof decoderBlock>;
export type CompanionKwargs = z.infer<typeof companionKwargs>;
export type ClosedLoopKwargs = z.infer<typeof closedLoopKwargs>;
export type PreprocessConfig = z.infer<typeof preConfig>;
export type MlpConfig = z.infer<typeof mlpConfig>;
export type MlpKwargs = z.infer<typeof mlpKwargsSchema>;
export type EmbeddingConfig = z.infer<typeof embeddingConfig>;

/** The training step of `train/step/informer.py` (loss, criterion weights, data transform) and AdamW. */
export const spacetimeTrainConfigSchema = z
  .object({
    loss: z.enum(['informer_rmse', 'rmse', 'mse', 'mae']).default('informer_rmse'),
    criterion_weights: z.tuple([z.number(), z.number(), z.number()]).default([1, 1, 1]),
    data_transform: z.enum(['mean', 'standardize', 'last', 'none']).default('mean'),
    lr: z.number().positive().default(1e-3),
    weight_decay: z.number().nonnegative().default(1e-4),
    betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).default([0.9, 0.999]),
    eps: z.number().positive().default(1e-8),
    epochs: positiveInt.default(20),
    batch_size: positiveInt.default(32),
    seed: z.number().int().default(0),
    /**
     * Learning rate by epoch (the official loop steps timm's cosine scheduler once per epoch): 'constant', or
     * 'cosine' from lr down to min_lr over `epochs` after `warmup_epochs` of linear warm-up (core `learningRate`).
     */
    schedule: z.enum(['constant', 'cosine']).default('constant'),
    warmup_epochs: z.number().int().nonnegative().default(0),
    min_lr: z.number().nonnegative().default(0),
    /** Stop after this many epochs without a better validation loss (`--early_stopping_epochs`); null: never. */
    early_stopping_epochs: positiveInt.nullable().default(null),
    /** End with the weights of the epoch with the best validation loss, as `train_model(return_best=True)`. */
    return_best: z.boolean().default(false),
    /**
     * The official loop leaves `inference_only` on after the first validation pass, so only the first epoch trains
     * the open-loop and next-input terms (README quirk 9). false (default): every epoch trains all three; true: copy it.
     */
    official_closed_loop_only_after_first_epoch: z.boolean().default(false),
  })
  .strict();

export type SpacetimeTrainConfig = z.infer<typeof spacetimeTrainConfigSchema>;
export type SpacetimeTrainConfigInput = z.input<typeof spacetimeTrainConfigSchema>;

/**
 * Parses a network config and checks what the official code would fail on or silently get wrong: every SSM's
 * channel map must cover model_dim, the decoder needs one kernel per channel, the dims must chain.
 */
export function parseSpacetimeConfig(value: unknown, what = 'SpaceTime config'): SpacetimeConfig {
  const config = parseConfig(spacetimeConfigSchema, value, what);
  const issues: Array<{ path: (string | number)[]; message: string; received?: unknown }> = [];
  config.encoder_config.blocks.forEach((block, i) => {
    const k = block.ssm_config.kwargs;
    const rows = channelRows(k.model_dim, k.n_kernels, k.kernel_repeat, k.head_dim);
    if (rows !== k.model_dim) {
      issues.push({
        path: ['encoder_config', 'blocks', i, 'ssm_config', 'kwargs', 'n_kernels'],
        message: `n_kernels·head_dim·n_heads (n_heads = model_dim // (n_kernels·head_dim)) must equal model_dim ${k.model_dim}; it is ${rows}`,
        received: k.n_kernels,
      });
    }
    const pre = block.pre_config;
    if (pre.method !== 'identity' && pre.kwargs.model_dim !== k.model_dim) {
      issues.push({ path: ['encoder_config', 'blocks', i, 'pre_config', 'kwargs', 'model_dim'], message: `must equal the block's model_dim ${k.model_dim}`, received: pre.kwargs.model_dim });
    }
    if (pre.method === 'residual' && pre.kwargs.n_kernels <= pre.kwargs.max_diff_order) {
      issues.push({ path: ['encoder_config', 'blocks', i, 'pre_config', 'kwargs', 'n_kernels'], message: `must exceed max_diff_order ${pre.kwargs.max_diff_order} (the rest are moving-average kernels)`, received: pre.kwargs.n_kernels });
    }
    if (pre.method === 'residual' && pre.kwargs.kernel_repeat * pre.kwargs.n_kernels * pre.kwargs.head_dim !== pre.kwargs.model_dim) {
      issues.push({ path: ['encoder_config', 'blocks', i, 'pre_config', 'kwargs', 'head_dim'], message: `kernel_repeat·n_kernels·head_dim must equal model_dim ${pre.kwargs.model_dim}`, received: pre.kwargs.head_dim });
    }
    if (pre.method === 'residual' && !(pre.kwargs.max_avg_window > pre.kwargs.min_avg_window)) {
      issues.push({ path: ['encoder_config', 'blocks', i, 'pre_config', 'kwargs', 'max_avg_window'], message: `must exceed min_avg_window ${pre.kwargs.min_avg_window}`, received: pre.kwargs.max_avg_window });
    }
  });
  const decoder = config.decoder_config.blocks[0]?.ssm_config.kwargs;
  if (decoder && decoder.n_kernels !== decoder.model_dim) {
    issues.push({ path: ['decoder_config', 'blocks', 0, 'ssm_config', 'kwargs', 'n_kernels'], message: `the closed loop has one kernel per channel: must equal model_dim ${decoder.model_dim}`, received: decoder.n_kernels });
  }
  if (issues.length) throw new ConfigError(what, issues);
  return config;
}

/** Rows the channel map produces: kernel_repeat · n_kernels · n_heads · head_dim with n_heads recomputed (5.1). */
export function channelRows(modelDim: number, nKernels: number, kernelRepeat: number, headDim: number): number {
  const nHeads = Math.floor(modelDim / (kernelRepeat * nKernels * headDim));
  return kernelRepeat * nKernels * nHeads * headDim;
}
