export { complexAbs, complexFromReal, complexMul, disposeComplex, type ComplexTensor } from './complex-tensor.js';
export { dft, dft2, fftShift, idft, type FftNorm } from './dft.js';
