export { Module, ModuleList, type HostStateDict, type StateDict, type StateDictSource, type LoadStateDictOptions, type ModuleTrainingState } from './module.js';
export { fromTorchLayout, toTorchLayout, torchShape, type TorchLayout } from './torch-layout.js';
export { normalInit, uniformInit, truncatedNormalInit, torchDefaultInit, withoutInit, type TruncatedNormalOptions } from './init.js';
export { pipe } from './pipe.js';
export { Linear, type LinearOptions } from './linear.js';
export { Conv2d, type Conv2dOptions, type Conv2dPadding } from './conv2d.js';
export { Embedding, type EmbeddingOptions } from './embedding.js';
export { LayerNorm, layerNorm, type LayerNormOptions } from './layer-norm.js';
export { RMSNorm, rmsNorm, type RMSNormOptions } from './rms-norm.js';
export { GroupNorm, groupNormSiluSteps, type GroupNormOptions } from './group-norm.js';
export { gelu, geluTanh, silu, swiglu, geluOf, type GeluFlavour } from './activations.js';
export { GeluMlp, type GeluMlpOptions } from './gelu-mlp.js';
export { SwiGluMlp, type SwiGluMlpOptions } from './swiglu-mlp.js';
export { Dropout, dropout, type DropoutOptions } from './dropout.js';
export { AdaLNModulation, modulate, modulatedLayerNorm, type AdaLNModulationOptions } from './adaln.js';
export { RotaryEmbedding, type RotaryEmbeddingOptions, type RotaryTables } from './rope.js';
export { AxialRotaryEmbedding, type AxialAxis, type AxialRotaryEmbeddingOptions, type PositionalRotation } from './axial-rope.js';
export {
  AttentionMaskCache,
  blockCausalMask,
  causalMask,
  checkMaskShape,
  combineMasks,
  groupIdsFromSizes,
  keyPaddingMask,
  lengthMask,
  maskFromPositions,
  range,
  slidingWindowMask,
  type SlidingWindowOptions,
  type VisibilityRule,
} from './attention-mask.js';
export {
  MultiHeadAttention,
  l2Normalize,
  type AttentionCall,
  type AttentionNames,
  type AttentionResult,
  type MultiHeadAttentionOptions,
} from './attention.js';
export { segmentedAttention, type AttentionSegment, type SegmentedAttentionOptions } from './segmented-attention.js';
export { Conv1d, type Conv1dOptions, type Conv1dPadding } from './conv1d.js';
export { ResnetBlock, type ConvBlockOptions } from './resnet-block.js';
export { Downsample2x, Upsample2x } from './resample2x.js';
export { stopGradient } from './stop-gradient.js';
export { TensorCache } from './tensor-cache.js';
