export { AdaLNSelfAttn, type AdaLNBlockContext, type AdaLNChunks, type AdaLNSelfAttnOptions } from './ada-ln-self-attn.js';
export { AdaLNBeforeHead } from './ada-ln-before-head.js';
export { ScaleSchedule } from './scale-schedule.js';
export { blockModulations, runAdaLNBlocks, type BlockRunOptions } from './run-blocks.js';
export { ScaleStepper, type BlockRunner, type ScaleStepperOptions } from './scale-stepper.js';
export { initNextScaleWeights, type NextScaleInitOptions, type NextScaleInitTarget } from './init-weights.js';
