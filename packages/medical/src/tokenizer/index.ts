export { AccelerationTokenizer, type LevelImages, type LevelQuantization } from './acceleration-tokenizer.js';
export { ConvDecoder, ConvEncoder, type ConvAutoencoderOptions } from './conv-autoencoder.js';
