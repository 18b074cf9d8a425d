export {
  MIN_CALIBRATION_COLUMNS,
  levelCenterFraction,
  measurableLevels,
  mriNasConfigSchema,
  parseMriNasConfig,
  tokenGridSize,
  tokenizerConfigSchema,
  transformerConfigSchema,
  type MriNasConfig,
  type MriNasConfigInput,
  type TokenizerConfig,
  type TransformerConfig,
} from './config.js';
export { MriNasTransformer } from './transformer.js';
export { MriNasModel, readCheckpointConfig } from './model.js';
export { generateMriNas, generateMriNasAll, type LevelReconstruction, type MriNasModels, type MriNasRequest } from './generate.js';
export { mriNasRequestSchema, parseMriNasRequest, type MriNasRequestOptions } from './generate-request.js';
export { mriNasCrossEntropy, type MriNasTokenBatch } from './loss.js';
export {
  PoolImageSource,
  PoolTokenSource,
  buildExamplePool,
  drawLevelImages,
  encodePool,
  tokenBatchOf,
  trainingDataSchema,
  type EncodedPool,
  type ExamplePool,
  type LevelImageBatch,
  type TrainingDataOptions,
} from './training-data.js';
export { MriNasGenerator } from './mri-nas-generator.js';
export { DEMO_MODEL_CONFIG, trainMriNas, trainRecipeSchema, type TrainContext, type TrainRecipe, type TrainReport } from './train.js';
export { readSplitSlices, sliceDataSchema, type SliceDataOptions, type SplitSlices } from './data-source.js';
export { readInput, type InputOptions, type PreparedInput } from './input-file.js';
export { reconstructionFigure, type ReconstructionFigureInput } from './reconstruction-figure.js';
export { reconstructInput, type ReconstructionRun } from './reconstruct-input.js';
export { writeLevelOutputs, type LevelFiles } from './outputs.js';
