// Convolutions through oneDNN (the library PyTorch runs CPU convolutions with) where the addon is built with it
// (NEXTX_HAVE_DNNL, set by blas-flags.mjs when oneDNN's headers and library are found); without it every function
// here reports that it did nothing, and the caller runs its im2col + sgemm path.
#pragma once

#include <string>

#include "conv-geometry.h"

namespace nextx {

// "oneDNN 2.6.3 (OpenMP)" where linked, "" otherwise.
std::string DnnlDescription();

// oneDNN's thread count for later calls (its OpenMP runtime's), alongside OpenBLAS's.
void DnnlSetThreads(int count);

// y = conv(x, w) [+ bias] (NHWC x and y, filter [kh, kw, ci, co]); false when oneDNN is not linked, or does not take
// this geometry: nothing was written then.
bool DnnlConvForward(const Geometry& g, const float* x, const float* w, const float* bias, float* y);

}  // namespace nextx
