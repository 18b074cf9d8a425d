export { AdamW, decayMatricesOnly, type AdamWOptions, type AdamWState, type DecayPredicate } from './adamw.js';
export { clipGradNorm, globalNorm, type NamedGrads } from './clip-grad-norm.js';
export { learningRate, lrScheduleSchema, type LrSchedule } from './lr-schedule.js';
export { combinedCos, oneCycleAt, oneCycleSchema, type OneCycle, type OneCycleInput } from './one-cycle.js';
export { accumulateGradients, GradientAccumulator, type Gradients, type LossClosure } from './gradient-accumulation.js';
export { Ema, emaSchema, type EmaConfig } from './ema.js';
export { PrefetchingBatchSource, iterateBatches, type BatchSource, type BatchSourceState } from './batch-source.js';
export { SeededBatchSource } from './seeded-batch-source.js';
export { ByteWindowSampler, type ByteBatch, type ByteWindowSamplerOptions } from './byte-window-sampler.js';
export { MetricsLog, readMetrics, type StepMetrics } from './metrics-log.js';
export { trainerConfigSchema, type TrainerConfig, type TrainerConfigInput } from './trainer-config.js';
export {
  disposeTrainingCheckpoint,
  loadTrainingCheckpoint,
  saveTrainingCheckpoint,
  type TrainingCheckpoint,
  type TrainingState,
} from './training-checkpoint.js';
export { Trainer, type RunOptions, type TrainerOptions, type TrainingLoss, type TrainResult } from './trainer.js';
export { EpochBatchSource, type EpochBatch, type EpochBatchSourceOptions, type EpochBatchSourceState } from './epoch-batch-source.js';
