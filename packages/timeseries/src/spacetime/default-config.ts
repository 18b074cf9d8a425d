import { parseSpacetimeConfig, type SpacetimeConfig } from './config.js';

export interface SpacetimeSizes {
  /** Input channels D (series forecast together). */
  readonly inputDim: number;
  readonly lag: number;
  readonly horizon: number;
  /** Width of the network, a multiple of 16 (the channel maps) and of inputDim (the repeat embedding). */
  readonly modelDim?: number;
  /** Companion state size N. */
  readonly kernelDim?: number;
  /** Encoder blocks after the first (each a companion SSM + MLP). */
  readonly extraBlocks?: number;
}

/**
 * A network laid out as the official default configs (`configs/model/{encoder,decoder,output}/default.yaml`): a
 * repeat embedding, a first encoder block with the residual (differencing + moving-average) pre-processing, further
 * companion-SSM blocks, the closed-loop decoder and a GELU output MLP — at a size for CPUs (model_dim 32, N 16).
 */
export function defaultSpacetimeConfig(sizes: SpacetimeSizes): SpacetimeConfig {
  const { inputDim, lag, horizon } = sizes;
  const modelDim = sizes.modelDim ?? defaultModelDim(inputDim);
  const kernelDim = sizes.kernelDim ?? 16;
  const mlp = (input: number, output: number, skip: boolean) => ({
    method: 'mlp',
    kwargs: { input_dim: input, output_dim: output, activation: 'gelu', dropout: 0, layernorm: false, n_layers: 1, n_activations: 1, pre_activation: true, input_shape: 'bld', skip_connection: skip },
  });
  const companion = (nKernels: number, headDim: number) => ({
    method: 'companion',
    kwargs: { model_dim: modelDim, n_kernels: nKernels, kernel_dim: kernelDim, kernel_repeat: 1, head_dim: headDim, skip_connection: true, norm_order: 1 },
  });
  const first = {
    pre_config: {
      method: 'residual',
      kwargs: { max_diff_order: 4, min_avg_window: 4, max_avg_window: Math.max(5, Math.min(lag, 24)), model_dim: modelDim, n_kernels: 8, kernel_dim: 2, kernel_repeat: modelDim / 16, head_dim: 2 },
    },
    ssm_config: companion(modelDim / 4, 2),
    mlp_config: mlp(modelDim, modelDim, true),
    skip_connection: true,
    skip_preprocess: false,
  };
  const rest = Array.from({ length: sizes.extraBlocks ?? 1 }, () => ({
    pre_config: { method: 'identity' },
    ssm_config: companion(modelDim, 1),
    mlp_config: mlp(modelDim, modelDim, true),
    skip_connection: true,
    skip_preprocess: true,
  }));
  return parseSpacetimeConfig({
    embedding_config: { method: 'repeat', kwargs: { input_dim: inputDim, embedding_dim: modelDim } },
    encoder_config: { blocks: [first, ...rest] },
    decoder_config: {
      blocks: [
        {
          pre_config: { method: 'identity' },
          ssm_config: { method: 'closed_loop_companion', kwargs: { lag, horizon, model_dim: modelDim, n_kernels: modelDim, kernel_dim: kernelDim, kernel_repeat: 1, head_dim: 1, skip_connection: false, norm_order: 1 } },
          mlp_config: { method: 'identity' },
          skip_connection: false,
          skip_preprocess: false,
        },
      ],
    },
    output_config: mlp(modelDim, inputDim, false),
    lag,
    horizon,
  });
}

/** The smallest multiple of 16 and of D that is at least 32. */
function defaultModelDim(inputDim: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const lcm = (16 * inputDim) / gcd(16, inputDim);
  return Math.ceil(32 / lcm) * lcm;
}
