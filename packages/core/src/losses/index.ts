export { sparseCrossEntropy, type LossReduction, type SparseCrossEntropyOptions } from './sparse-cross-entropy.js';
