export { BitCodec, bitsForVocabulary, grayDecode, grayEncode, type BitCode, type BitCodecOptions } from './bit-codec.js';
