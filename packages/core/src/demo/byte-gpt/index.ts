export { byteGptConfigSchema, type ByteGptConfig, type ByteGptConfigInput } from './config.js';
export { ByteGpt } from './model.js';
export { generate as generateBytes, type ByteSampler, type ByteGptGenerateOptions } from './generate.js';
export { byteGptLoss, trainByteGpt, type TrainByteGptOptions, type TrainedByteGpt } from './train.js';
