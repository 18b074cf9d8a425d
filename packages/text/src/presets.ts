import type { TransformerConfigInput } from './transformer/causal-transformer.js';

/**
 * Model sizes trained here (2 shared CPU cores, at most 45 minutes each). `small` is what BENCHMARKS.md reports; `tiny`
 * is for tests and the CLI's smoke runs. The AR reference and BitLM's decoder are the same transformer.
 */
export type PresetName = 'tiny' | 'small';
export const PRESET_NAMES: readonly PresetName[] = ['tiny', 'small'];

export const TRANSFORMER_PRESETS: Record<PresetName, TransformerConfigInput> = {
  tiny: { dim: 32, depth: 2, heads: 2, contextLength: 256 },
  small: { dim: 128, depth: 4, heads: 4, contextLength: 256 },
};

export const BITLM_HEAD_PRESETS: Record<PresetName, { dim: number; depth: number; heads: number; contentDim: number; hidden: number }> = {
  tiny: { dim: 16, depth: 1, heads: 2, contentDim: 4, hidden: 8 },
  small: { dim: 64, depth: 2, heads: 2, contentDim: 8, hidden: 32 },
};

/**
 * A CoBit cfg tree in the official shape (the paper's choices: raw binary, one token per patch, AdaLN + SwiGLU +
 * RoPE trunk, local-only positions, self-conditioning, matched-filter residual, EDM weighting, log-normal σ mixed with
 * the entropy profile after a warm-up) at this machine's sizes. Warm-up and transition scale with the step budget
 * (the paper: 40k + 10k of 1M steps).
 */
export function cobitPresetCfg(preset: PresetName, bitsPerToken: number, tokens: number, steps: number): Record<string, unknown> {
  const size = preset === 'small' ? { embed_dim: 128, n_blocks: 4, n_heads: 4, dim_ff: 384, content_dim_continuous: 8, head_hidden: 32, n_fourier_global: 8, n_fourier_local: 4, entropy_num_bins: 32 } : { embed_dim: 32, n_blocks: 1, n_heads: 2, dim_ff: 64, content_dim_continuous: 4, head_hidden: 8, n_fourier_global: 2, n_fourier_local: 2, entropy_num_bins: 16 };
  return {
    framework: 'continuous_score',
    data: { representation: 'binary', binarization: 'raw_binary', bits_per_token: bitsPerToken, sequence_len_tokens: tokens, sequence_len: bitsPerToken * tokens },
    model: {
      patch_size: bitsPerToken,
      embed_dim: size.embed_dim,
      n_blocks: size.n_blocks,
      n_heads: size.n_heads,
      dim_ff: size.dim_ff,
      head_type: 'optimal_skip_mlp',
      out_dim: 1,
      head_hidden: size.head_hidden,
      dropout: 0,
      self_condition: true,
      center_inputs: true,
      use_rope_trunk: true,
      rope_base: 10000,
      abs_pos_mode: 'local_only',
      n_fourier_global: size.n_fourier_global,
      n_fourier_local: size.n_fourier_local,
      use_adaln: true,
      use_swiglu: true,
      rpb_max_distance: 1,
      content_dim_continuous: size.content_dim_continuous,
      continuous_logit_scaling: 'matched_filter_residual',
      matched_filter_center: 0.5,
      matched_filter_scale: 1,
      matched_filter_clip: 30,
    },
    diffusion: { continuous: { sigma_min: 0.002, sigma_max: 80, rho: 7, sigma_data: 0.5, data_center: 0.5, p_mean: -1.2, p_std: 1.2 } },
    train: {
      loss_type: 'binary_sm',
      loss_weighting: 'edm',
      self_condition_prob: 0.5,
      sigma_sampling_strategy: 'log-normal',
      entropy_compute: true,
      entropy_use_for_sampling: true,
      entropy_num_bins: size.entropy_num_bins,
      entropy_min_per_bin: 4,
      entropy_buffer_size: 8192,
      entropy_update_every_steps: Math.max(10, Math.round(steps / 50)),
      entropy_warmup_steps: Math.round(steps * 0.3),
      entropy_transition_steps: Math.round(steps * 0.1),
      entropy_gamma_max: 1,
      entropy_regularizer_c: 0.1,
      entropy_regularizer_n: 3,
      entropy_target: 'sqrt-rate',
    },
  };
}
