// The shape of one NHWC convolution as the addon's conv2d receives it (filter [kh, kw, ci, co]).
#pragma once

#include <cstdint>

namespace nextx {

struct Geometry {
  int64_t batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels;
  int64_t filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft;

  int64_t Rows() const { return batch * outHeight * outWidth; }
  int64_t Patch() const { return filterHeight * filterWidth * inChannels; }
  // A 1×1 convolution with stride 1 and no padding: the input already is the patch matrix.
  bool Pointwise() const {
    return filterHeight == 1 && filterWidth == 1 && strideHeight == 1 && strideWidth == 1 && padTop == 0 &&
           padLeft == 0 && outHeight == inHeight && outWidth == inWidth;
  }
};

}  // namespace nextx
