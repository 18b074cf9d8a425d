import { z } from 'zod';
import { ConfigError, parseConfig } from '@nextx/core';

/**
 * The official CoBit config tree (`cfg` of github.com/GBATZOLIS/BitstreamDiffusion, an ml_collections ConfigDict),
 * with the official code's defaults for the fields it reads through `getattr(..., default)`. Fields the model does not
 * read are kept as given (loose objects), so a config round-trips. Names stay the official ones.
 */
const data = z.looseObject({
  representation: z.literal('binary', { error: 'only the bit representation (data.representation = binary) is a CoBit model; token-space runs are not supported' }).default('binary'),
  binarization: z.enum(['raw_binary', 'semantic']).default('raw_binary'),
  bits_per_token: z.number().int().min(1).max(30),
  sequence_len_tokens: z.number().int().positive(),
  /** Bits per sequence, S = T·b (derived when absent). */
  sequence_len: z.number().int().positive().optional(),
});

const model = z.looseObject({
  patch_size: z.number().int().positive(),
  embed_dim: z.number().int().positive(),
  n_blocks: z.number().int().nonnegative(),
  n_heads: z.number().int().positive(),
  dim_ff: z.number().int().positive().optional(),
  out_dim: z.literal(1, { error: 'a bit model predicts one logit per bit (model.out_dim = 1)' }).default(1),
  dropout: z.number().min(0).max(1).default(0),
  head_type: z.enum(['optimal_skip_mlp', 'patch_bits_sedd', 'hybrid_attn_v2'], { error: 'model.head_type must be optimal_skip_mlp, patch_bits_sedd or hybrid_attn_v2 for a bit model (token_full needs the token representation)' }).default('optimal_skip_mlp'),
  use_adaln: z.boolean().default(true),
  use_swiglu: z.boolean().default(false),
  self_condition: z.boolean().default(false),
  center_inputs: z.boolean().default(true),
  use_rope_trunk: z.boolean().default(false),
  rope_base: z.number().positive().default(10_000),
  abs_pos_mode: z.enum(['full', 'local_only']).default('full'),
  n_fourier_global: z.number().int().nonnegative().default(8),
  n_fourier_local: z.number().int().nonnegative().default(4),
  rpb_max_distance: z.number().int().positive().default(64),
  content_dim_continuous: z.number().int().positive().default(1),
  head_hidden: z.number().int().positive().default(256),
  head_embed_dim: z.number().int().positive().optional(),
  head_kernel: z.number().int().positive().default(3),
  head_use_cross_attn: z.boolean().default(true),
  head_use_self_attn: z.boolean().default(true),
  head_use_local_mixer: z.boolean().default(false),
  continuous_logit_scaling: z
    .enum(['none', 'inv_sigma2', 'matched_filter', 'matched_filter_residual', 'matched_filter_only'])
    .default('none')
    .transform((m) => (m === 'matched_filter' ? 'matched_filter_residual' : m)),
  matched_filter_center: z.number().optional(),
  matched_filter_scale: z.number().default(1),
  matched_filter_clip: z.number().positive().nullable().default(null),
});

const continuous = z.looseObject({
  sigma_min: z.number().positive().default(0.002),
  sigma_max: z.number().positive().default(80),
  rho: z.number().positive().default(7),
  sigma_data: z.number().positive().default(0.5),
  data_center: z.number().default(0.5),
  p_mean: z.number().default(-1.2),
  p_std: z.number().positive().default(1.2),
});

const train = z.looseObject({
  loss_type: z.enum(['binary_sm', 'binary_ce']).default('binary_sm'),
  loss_weighting: z.enum(['edm', 'karras', 'unit', 'none']).default('edm'),
  self_condition_prob: z.number().min(0).max(1).default(0.5),
  sigma_sampling_strategy: z.enum(['log-normal', 'log-uniform']).default('log-uniform'),
  entropy_compute: z.boolean().default(false),
  entropy_use_for_sampling: z.boolean().default(false),
  entropy_num_bins: z.number().int().min(2).default(256),
  entropy_min_per_bin: z.number().int().positive().default(10),
  entropy_buffer_size: z.number().int().positive().default(100_000),
  entropy_update_every_steps: z.number().int().positive().default(2000),
  entropy_warmup_steps: z.number().int().nonnegative().default(100_000),
  entropy_transition_steps: z.number().int().nonnegative().default(100_000),
  entropy_gamma_max: z.number().min(0).max(1).default(0.5),
  entropy_regularizer_c: z.number().positive().default(0.1),
  entropy_regularizer_n: z.number().positive().default(3),
  entropy_target: z.enum(['sqrt-rate', 'rate']).default('sqrt-rate'),
});

/** The official cfg tree, as the model reads it. */
export const cobitCfgSchema = z.looseObject({
  framework: z.literal('continuous_score', { error: "CoBit is the continuous framework (framework = 'continuous_score'); discrete SEDD runs are not supported" }).default('continuous_score'),
  data,
  model,
  diffusion: z.looseObject({ continuous: continuous.prefault({}) }).prefault({}),
  train: train.prefault({}),
});
export type CobitCfg = z.output<typeof cobitCfgSchema>;

/**
 * A nextx CoBit config: the official tree plus what the tree does not hold, the tokenizer's vocabulary size V (bit
 * patterns ≥ V wrap around to id mod V when decoded, official `decode_bitstreams_to_token_ids_for_eval`).
 */
export const cobitConfigSchema = z.object({
  cfg: cobitCfgSchema,
  vocabSize: z.number().int().positive(),
  /** The semantic binarization's rank of each id (data.binarization = semantic) and its unknown id. */
  semantic: z.object({ ranks: z.array(z.number().int().nonnegative()), unknownId: z.number().int().nonnegative() }).optional(),
});
export type CobitConfig = z.output<typeof cobitConfigSchema>;

/** Sizes the network is built from (official `SequenceVDTContinuousModel.__init__`, spec section 2). */
export interface CobitSizes {
  /** Bits per token b, tokens T, bits S = T·b, patch P, patches n = S/P. */
  readonly b: number;
  readonly T: number;
  readonly S: number;
  readonly P: number;
  readonly n: number;
  readonly E: number;
  readonly L: number;
  readonly H: number;
  /** Per-bit content channels C and the trunk's content input (2C with self-conditioning). */
  readonly C: number;
  readonly contentIn: number;
  readonly posDim: number;
  readonly dimFf: number;
  readonly V: number;
  readonly dataCenter: number;
  readonly sigmaData: number;
  readonly matchedFilterCenter: number;
}

export function cobitSizes(config: CobitConfig): CobitSizes {
  const { cfg } = config;
  const m = cfg.model;
  const b = cfg.data.bits_per_token;
  const T = cfg.data.sequence_len_tokens;
  const S = T * b;
  const C = m.content_dim_continuous;
  const dataCenter = cfg.diffusion.continuous.data_center;
  return {
    b,
    T,
    S,
    P: m.patch_size,
    n: S / m.patch_size,
    E: m.embed_dim,
    L: m.n_blocks,
    H: m.n_heads,
    C,
    contentIn: m.self_condition ? 2 * C : C,
    posDim: 2 * m.n_fourier_global + 2 * m.n_fourier_local + 1,
    dimFf: m.dim_ff ?? 4 * m.embed_dim,
    V: config.vocabSize,
    dataCenter,
    sigmaData: cfg.diffusion.continuous.sigma_data,
    matchedFilterCenter: m.matched_filter_center ?? dataCenter,
  };
}

/**
 * Accepts a nextx config ({cfg, vocabSize}), a cobit-tiny-a style fixture config ({cfg, derived: {V}}), or a bare
 * official tree with the vocabulary size given separately. Checks what the official constructor would refuse or the
 * spec leaves out, each as a ConfigError naming the field.
 */
export function parseCobitConfig(input: unknown, options: { readonly vocabSize?: number; readonly what?: string } = {}): CobitConfig {
  const what = options.what ?? 'CoBit config';
  const record = (input ?? {}) as Record<string, unknown>;
  const hasTree = typeof record['cfg'] === 'object' && record['cfg'] !== null;
  const derived = record['derived'] as Record<string, unknown> | undefined;
  const vocabSize = options.vocabSize ?? record['vocabSize'] ?? derived?.['V'];
  if (vocabSize === undefined) {
    throw new ConfigError(what, [{ path: ['vocabSize'], message: "the tokenizer's vocabulary size V is needed (bit patterns ≥ V decode to id mod V); give vocabSize, or derived.V as the fixture config does" }]);
  }
  const config = parseConfig(cobitConfigSchema, { cfg: hasTree ? record['cfg'] : record, vocabSize, ...(record['semantic'] ? { semantic: record['semantic'] } : {}) }, what);
  checkConsistency(config, what);
  return config;
}

function checkConsistency(config: CobitConfig, what: string): void {
  const { cfg } = config;
  const issue = (path: (string | number)[], message: string, received?: unknown) => new ConfigError(what, [{ path, message, ...(received === undefined ? {} : { received }) }]);
  const { b, S, P, E, H, V } = cobitSizes(config);
  if (cfg.data.sequence_len !== undefined && cfg.data.sequence_len !== S) {
    throw issue(['cfg', 'data', 'sequence_len'], `must equal sequence_len_tokens × bits_per_token = ${S}`, cfg.data.sequence_len);
  }
  if (S % P !== 0) {
    // The official code zero-pads and passes an inverted key-padding mask (spec 6.3, quirk 9); no official config does.
    throw issue(['cfg', 'model', 'patch_size'], `must divide the ${S} bits of a sequence (the official padding path masks the wrong keys)`, P);
  }
  if (E % H !== 0) throw issue(['cfg', 'model', 'n_heads'], `must divide embed_dim ${E}`, H);
  if (cfg.model.use_rope_trunk && (E / H) % 2 !== 0) throw issue(['cfg', 'model', 'n_heads'], `RoPE needs an even head dimension; embed_dim/n_heads = ${E / H}`, H);
  if (V > 2 ** b) throw issue(['vocabSize'], `a vocabulary of ${V} ids does not fit in ${b} bits per token (at most ${2 ** b})`, V);
  if (cfg.data.binarization === 'semantic') {
    if (!config.semantic) throw issue(['semantic'], 'data.binarization = semantic needs the rank of each id (semantic.ranks) and the unknown id');
    if (config.semantic.ranks.length !== V) throw issue(['semantic', 'ranks'], `needs one rank per id (${V})`, config.semantic.ranks.length);
  }
}
