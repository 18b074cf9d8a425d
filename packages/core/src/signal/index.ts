export {
  checkComplex,
  complexAbs,
  complexAbsSquared,
  complexAdd,
  complexConj,
  complexDiv,
  complexFromPolar,
  complexFromReal,
  complexMul,
  complexScale,
  complexSub,
  disposeComplex,
  type ComplexTensor,
} from './complex-tensor.js';
export { fft, fft2, fftn, ifft, ifft2, ifftn, type FftEngine, type FftNorm, type FftOptions, type FftnOptions } from './fft.js';
export { irfft, rfft, type IrfftOptions } from './real-fft.js';
export { fftConv, nextSmoothLength, type FftConvOptions } from './fft-conv.js';
export { centeredFft2, centeredIfft2 } from './centered-fft.js';
export { disposeFftCache, fftCacheSize } from './fft-cache.js';
export { fftShift } from './fft-shift.js';
export { dft, dft2, idft } from './dft.js';
