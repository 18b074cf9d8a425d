export { plugin } from './plugin.js';
export { plugin as default } from './plugin.js';
export { VideoGenerator } from './video-generator.js';

export { MovingObjects, MovingObjectsSequence, movingObjectsSchema, type MovingObjectsConfig, type MovingObjectsInput, type Split } from './data/moving-objects.js';
export { boxResize, fashionMnistSprites, hasFashionMnist, shapeSprites, spriteSource, type Sprite, type SpriteKind, type SpriteSource } from './data/sprites.js';

export { FrameAutoencoder } from './autoencoder/frame-autoencoder.js';
export { autoencoderConfigSchema, type AutoencoderConfig } from './autoencoder/config.js';
export { VideoModel } from './model/video-model.js';
export { VideoTransformer, type TransformerCall } from './model/video-transformer.js';
export { VideoBlock } from './model/video-block.js';
export { TimestepEmbedding } from './model/timestep-embedding.js';
export { conditioningSlots, framesBeforeChunk, tokenLayout, videoModelConfigSchema, type HeadRole, type TokenLayout, type VideoModelConfig, type VideoModelConfigInput } from './model/config.js';
export { chunkIds, framePositions, teacherForcingMask } from './model/chunk-mask.js';
export { bounce } from './geometry/bounce.js';
export { brightnessBounds, brightnessCentroid, extrapolateFrames, shiftFrame, type MotionEdges } from './model/global-motion.js';
export { loadVideoModel, saveVideoModel } from './model/checkpoint.js';

export { generateVideo, videoRequestSchema, type VideoChunk, type VideoRequestInput } from './generate/generate.js';
export { ChunkRollout, type RolledChunk, type RolloutOptions } from './generate/rollout.js';
export { cacheSpecSchema, contextFramesOf, kvCacheOptions, resolveCacheSpec, type CacheSpec, type CacheSpecInput } from './generate/cache-spec.js';
export { ChunkFlowCache, flowCacheSchema, type FlowCacheConfig, type FlowCacheInput, type ReuseCounts } from './generate/flow-cache.js';
export { samplingSchema, type Sampling, type SamplingInput } from './generate/sampling.js';
export { flowSamplerOption, type FlowSampler } from './generate/flow-sampler-option.js';

export { GifWriter, type GifWriterOptions } from './io/gif-writer.js';
export { PngSequenceWriter } from './io/png-sequence-writer.js';
export { Mp4Writer, ffmpegAvailable } from './io/ffmpeg.js';
export { chunkImages, type FrameWriter } from './io/frame-writer.js';

export { psnr, ssim } from './eval/metrics.js';
export { meanScore, objectCoherence, objectPlacements, objectSpeeds, placementShift, SPEED_LAG, spriteMatch, spritePlacement, type Placement } from './eval/coherence.js';
export { copyLastFrame, linearExtrapolation } from './eval/baselines.js';
export { evaluateModel, evaluationFigure, type EvaluationOptions, type EvaluationReport, type HorizonMetrics, type Method } from './eval/evaluate.js';

export { trainVideoModel, latentStatistics, recipeModelConfig, type TrainVideoOptions, type TrainVideoResult } from './train/train-video.js';
export { trainRecipeSchema, type TrainRecipe, type TrainRecipeInput } from './train/recipe.js';
export { VideoBatchSource, type VideoBatch, type VideoBatchOptions } from './train/video-batch-source.js';
export { FrameBatchSource } from './train/frame-batch-source.js';
export { MaskCache, drawLevels, flowMatchingLoss, samplerGrid, type FlowLossOptions } from './train/flow-matching-loss.js';
export { clipFrames } from './train/clip-layout.js';
export { longRangeAttention, profileHeads, type HeadProfileOptions } from './train/head-roles.js';
