import { z } from 'zod';
import { ConfigError, bitsForVocabulary, parseConfig } from '@nextx/core';
import { tokenizerSpecSchema } from '../ar/config.js';
import { parseCobitConfig, type CobitConfig } from '../cobit/config.js';
import { transformerConfigSchema } from '../transformer/causal-transformer.js';

/**
 * BitLM: a causal decoder over blocks of k tokens and a light bit-diffusion head that writes the k·b bits of the next
 * block jointly, conditioned on the decoder's states at the current block. The head is a small CoBit denoiser (the
 * same codec, noise, c_in scaling, self-conditioning and matched filter) over the k tokens of a block, one patch per
 * token, with each patch token offset by a projection of the decoder state at that position.
 */
export const bitlmConfigSchema = z
  .object({
    model: z.literal('text/bitlm').default('text/bitlm'),
    vocabSize: z.number().int().positive(),
    /** Bits per token b; ⌈log₂ V⌉ when absent. */
    bitsPerToken: z.number().int().min(1).max(30).optional(),
    /** Tokens per block k (k = 1: autoregression with a bit head). */
    blockSize: z.number().int().positive().default(4),
    transformer: transformerConfigSchema.prefault({}),
    head: z
      .object({
        dim: z.number().int().positive().default(64),
        depth: z.number().int().nonnegative().default(2),
        heads: z.number().int().positive().default(2),
        /** Per-bit content channels C. */
        contentDim: z.number().int().positive().default(8),
        /** Width of the per-bit output MLP (CoBit's head_hidden). */
        hidden: z.number().int().positive().default(32),
        fourierLocal: z.number().int().nonnegative().default(2),
        dropout: z.number().min(0).max(1).default(0),
      })
      .strict()
      .prefault({}),
    diffusion: z
      .object({
        sigmaMin: z.number().positive().default(0.002),
        sigmaMax: z.number().positive().default(80),
        sigmaData: z.number().positive().default(0.5),
        pMean: z.number().default(-1.2),
        pStd: z.number().positive().default(1.2),
      })
      .strict()
      .prefault({}),
    train: z
      .object({
        selfConditionProb: z.number().min(0).max(1).default(0.5),
        lossType: z.enum(['binary_sm', 'binary_ce']).default('binary_sm'),
        weighting: z.enum(['edm', 'unit']).default('edm'),
        /** Share of training windows that start a document (their context block is k separators, as generation starts). */
        documentStartShare: z.number().min(0).max(1).default(0.1),
      })
      .strict()
      .prefault({}),
    tokenizer: tokenizerSpecSchema.default({ kind: 'bytes' }),
  })
  .strict();
export type BitlmConfig = z.output<typeof bitlmConfigSchema>;
export type BitlmConfigInput = z.input<typeof bitlmConfigSchema>;

export function parseBitlmConfig(input: unknown, what = 'text/bitlm config'): BitlmConfig {
  const config = parseConfig(bitlmConfigSchema, input, what);
  const b = config.bitsPerToken ?? bitsForVocabulary(config.vocabSize);
  if (config.vocabSize > 2 ** b) throw new ConfigError(what, [{ path: ['bitsPerToken'], message: `${config.vocabSize} ids need ${bitsForVocabulary(config.vocabSize)} bits per token`, received: b }]);
  if (config.head.dim % config.head.heads !== 0 || (config.head.dim / config.head.heads) % 2 !== 0) {
    throw new ConfigError(what, [{ path: ['head', 'heads'], message: `head.dim / head.heads must be an even integer (RoPE)`, received: config.head.heads }]);
  }
  return config;
}

/** The head as a CoBit config tree (a block of k tokens, one b-bit patch per token). */
export function bitlmHeadConfig(config: BitlmConfig): CobitConfig {
  const b = config.bitsPerToken ?? bitsForVocabulary(config.vocabSize);
  const h = config.head;
  return parseCobitConfig(
    {
      cfg: {
        framework: 'continuous_score',
        data: { representation: 'binary', binarization: 'raw_binary', bits_per_token: b, sequence_len_tokens: config.blockSize },
        model: {
          patch_size: b,
          embed_dim: h.dim,
          n_blocks: h.depth,
          n_heads: h.heads,
          dim_ff: 3 * h.dim,
          head_type: 'optimal_skip_mlp',
          head_hidden: h.hidden,
          dropout: h.dropout,
          use_adaln: true,
          use_swiglu: true,
          self_condition: true,
          center_inputs: true,
          use_rope_trunk: true,
          abs_pos_mode: 'local_only',
          n_fourier_global: 0,
          n_fourier_local: h.fourierLocal,
          rpb_max_distance: 1,
          content_dim_continuous: h.contentDim,
          continuous_logit_scaling: 'matched_filter_residual',
          matched_filter_center: 0.5,
          matched_filter_scale: 1,
          matched_filter_clip: 30,
        },
        diffusion: { continuous: { sigma_min: config.diffusion.sigmaMin, sigma_max: config.diffusion.sigmaMax, sigma_data: config.diffusion.sigmaData, data_center: 0.5, p_mean: config.diffusion.pMean, p_std: config.diffusion.pStd } },
        train: { loss_type: config.train.lossType, loss_weighting: config.train.weighting, self_condition_prob: config.train.selfConditionProb, sigma_sampling_strategy: 'log-normal' },
      },
      vocabSize: config.vocabSize,
    },
    { what: 'text/bitlm head' },
  );
}
