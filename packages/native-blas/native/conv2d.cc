#include "conv2d.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "arguments.h"
#include "conv-geometry.h"
#include "dnnl-conv.h"
#include "gemm.h"

namespace nextx {

namespace {

// The patch matrix is built in blocks of rows of about this many floats (8 MB): large enough for sgemm to run at
// full speed, small enough to stay in cache and never to cost a full im2col copy of a large input.
constexpr int64_t kBlockFloats = int64_t{1} << 21;
constexpr int64_t kMaxExtent = int64_t{1} << 24;

Geometry ReadGeometry(const Napi::Object& args) {
  Geometry g;
  g.batch = IntegerField(args, "batch", 1, kMaxExtent);
  g.inHeight = IntegerField(args, "inHeight", 1, kMaxExtent);
  g.inWidth = IntegerField(args, "inWidth", 1, kMaxExtent);
  g.inChannels = IntegerField(args, "inChannels", 1, kMaxExtent);
  g.outHeight = IntegerField(args, "outHeight", 1, kMaxExtent);
  g.outWidth = IntegerField(args, "outWidth", 1, kMaxExtent);
  g.outChannels = IntegerField(args, "outChannels", 1, kMaxExtent);
  g.filterHeight = IntegerField(args, "filterHeight", 1, kMaxExtent);
  g.filterWidth = IntegerField(args, "filterWidth", 1, kMaxExtent);
  g.strideHeight = IntegerField(args, "strideHeight", 1, kMaxExtent);
  g.strideWidth = IntegerField(args, "strideWidth", 1, kMaxExtent);
  g.dilationHeight = IntegerField(args, "dilationHeight", 1, kMaxExtent);
  g.dilationWidth = IntegerField(args, "dilationWidth", 1, kMaxExtent);
  g.padTop = IntegerField(args, "padTop", 0, kMaxExtent);
  g.padLeft = IntegerField(args, "padLeft", 0, kMaxExtent);
  return g;
}

// Row r = (b, oy, ox) of the patch matrix for rows [first, last): the receptive field in (ky, kx, ci) order, zero
// where it falls into the padding. Every read is inside the input: positions outside [0, in) are never read.
void FillPatches(const Geometry& g, const float* x, int64_t first, int64_t last, float* patches) {
  const int64_t c = g.inChannels;
  const int64_t perImage = g.outHeight * g.outWidth;
  const int64_t rowWidth = g.filterWidth * c;
  for (int64_t r = first; r < last; r++) {
    const int64_t image = r / perImage;
    const int64_t oy = (r % perImage) / g.outWidth;
    const int64_t ox = r % g.outWidth;
    const int64_t x0 = ox * g.strideWidth - g.padLeft;
    const float* source = x + image * g.inHeight * g.inWidth * c;
    float* out = patches + (r - first) * g.Patch();
    for (int64_t ky = 0; ky < g.filterHeight; ky++, out += rowWidth) {
      const int64_t iy = oy * g.strideHeight + ky * g.dilationHeight - g.padTop;
      if (iy < 0 || iy >= g.inHeight) {
        std::memset(out, 0, sizeof(float) * rowWidth);
        continue;
      }
      const float* line = source + iy * g.inWidth * c;
      if (g.dilationWidth == 1) {
        // The valid taps kx ∈ [lo, hi) are contiguous in the input row: one copy.
        const int64_t lo = std::min(g.filterWidth, std::max<int64_t>(0, -x0));
        const int64_t hi = std::max(lo, std::min(g.filterWidth, g.inWidth - x0));
        std::memset(out, 0, sizeof(float) * lo * c);
        if (hi > lo) std::memcpy(out + lo * c, line + (x0 + lo) * c, sizeof(float) * (hi - lo) * c);
        std::memset(out + hi * c, 0, sizeof(float) * (g.filterWidth - hi) * c);
        continue;
      }
      for (int64_t kx = 0; kx < g.filterWidth; kx++) {
        const int64_t ix = x0 + kx * g.dilationWidth;
        if (ix < 0 || ix >= g.inWidth) {
          std::memset(out + kx * c, 0, sizeof(float) * c);
        } else {
          std::memcpy(out + kx * c, line + ix * c, sizeof(float) * c);
        }
      }
    }
  }
}

// The adjoint of FillPatches (col2im): adds each patch entry back onto the input position it was read from.
void AddPatches(const Geometry& g, const float* patches, int64_t first, int64_t last, float* dx) {
  const int64_t c = g.inChannels;
  const int64_t perImage = g.outHeight * g.outWidth;
  for (int64_t r = first; r < last; r++) {
    const int64_t image = r / perImage;
    const int64_t oy = (r % perImage) / g.outWidth;
    const int64_t ox = r % g.outWidth;
    float* target = dx + image * g.inHeight * g.inWidth * c;
    const float* in = patches + (r - first) * g.Patch();
    for (int64_t ky = 0; ky < g.filterHeight; ky++) {
      const int64_t iy = oy * g.strideHeight + ky * g.dilationHeight - g.padTop;
      for (int64_t kx = 0; kx < g.filterWidth; kx++, in += c) {
        const int64_t ix = ox * g.strideWidth + kx * g.dilationWidth - g.padLeft;
        if (iy < 0 || iy >= g.inHeight || ix < 0 || ix >= g.inWidth) continue;
        float* pixel = target + (iy * g.inWidth + ix) * c;
        for (int64_t ci = 0; ci < c; ci++) pixel[ci] += in[ci];
      }
    }
  }
}

// Scratch for one block of patch rows, kept between calls (growing only) so that no call pays for fresh pages.
float* Scratch(const Napi::Env& env, int64_t floats) {
  thread_local std::vector<float> scratch;
  try {
    if (scratch.size() < static_cast<size_t>(floats)) scratch.resize(static_cast<size_t>(floats));
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(env, "native-blas: could not allocate " + std::to_string(floats * 4) +
                                    " bytes of scratch for the patch matrix");
  }
  return scratch.data();
}

// Calls body(first, last, patches) for consecutive blocks of patch-matrix rows, with scratch for one block.
template <typename Body>
void ForEachBlock(const Napi::Env& env, const Geometry& g, Body&& body) {
  const int64_t rows = g.Rows();
  const int64_t block = std::clamp<int64_t>(kBlockFloats / g.Patch(), 1, rows);
  float* patches = Scratch(env, block * g.Patch());
  for (int64_t first = 0; first < rows; first += block) body(first, std::min(rows, first + block), patches);
}

// y = conv(x, w) [+ bias]: through oneDNN where it is linked and takes the geometry, else im2col blocks and sgemm —
// with a bias, each block of output rows starts as the bias and sgemm accumulates onto it.
void Forward(const Napi::Env& env, const Geometry& g, const float* x, const float* w, const float* bias, float* y) {
  if (DnnlConvForward(g, x, w, bias, y)) return;
  const int64_t patch = g.Patch();
  const float beta = bias ? 1.0f : 0.0f;
  if (g.Pointwise()) {
    if (bias) FillRows(y, g.Rows(), g.outChannels, bias);
    return Sgemm(false, false, g.Rows(), g.outChannels, patch, x, w, beta, y);
  }
  ForEachBlock(env, g, [&](int64_t first, int64_t last, float* patches) {
    FillPatches(g, x, first, last, patches);
    float* rows = y + first * g.outChannels;
    if (bias) FillRows(rows, last - first, g.outChannels, bias);
    Sgemm(false, false, last - first, g.outChannels, patch, patches, w, beta, rows);
  });
}

// dx = col2im(dy · Wᵀ), W seen as the [kh·kw·ci, co] matrix it is stored as.
void InputGradient(const Napi::Env& env, const Geometry& g, const float* dy, const float* w, float* dx) {
  const int64_t patch = g.Patch();
  if (g.Pointwise()) return Sgemm(false, true, g.Rows(), patch, g.outChannels, dy, w, 0.0f, dx);
  std::memset(dx, 0, sizeof(float) * g.batch * g.inHeight * g.inWidth * g.inChannels);
  ForEachBlock(env, g, [&](int64_t first, int64_t last, float* patches) {
    Sgemm(false, true, last - first, patch, g.outChannels, dy + first * g.outChannels, w, 0.0f, patches);
    AddPatches(g, patches, first, last, dx);
  });
}

// dW = Σ over row blocks of Pᵀ · dy.
void FilterGradient(const Napi::Env& env, const Geometry& g, const float* x, const float* dy, float* dw) {
  const int64_t patch = g.Patch();
  if (g.Pointwise()) return Sgemm(true, false, patch, g.outChannels, g.Rows(), x, dy, 0.0f, dw);
  ForEachBlock(env, g, [&](int64_t first, int64_t last, float* patches) {
    FillPatches(g, x, first, last, patches);
    Sgemm(true, false, patch, g.outChannels, last - first, patches, dy + first * g.outChannels,
          first == 0 ? 0.0f : 1.0f, dw);
  });
}

}  // namespace

// conv2d(heap, {pass, batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight,
// filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft, x, filter, y}):
// NHWC input x, filter [kh, kw, ci, co], output y [b, oh, ow, co]; all three are byte offsets into the heap.
//   pass 'forward':        y  = conv(x, filter) [+ bias, an optional offset of outChannels floats]
//   pass 'inputGradient':  x  = dL/dx given y = dL/dy
//   pass 'filterGradient': filter = dL/dfilter given x and y = dL/dy
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object args = KernelOptions(info, "native-blas: conv2d(heap, {pass, batch, inHeight, …, x, filter, y})");
  Heap heap = HeapArgument(env, info[0]);
  Napi::Value passValue = args.Get("pass");
  std::string pass = passValue.IsString() ? passValue.As<Napi::String>().Utf8Value() : "";
  if (pass != "forward" && pass != "inputGradient" && pass != "filterGradient") {
    throw Napi::TypeError::New(env, "native-blas: 'pass' must be 'forward', 'inputGradient' or 'filterGradient'");
  }
  Geometry g = ReadGeometry(args);
  uint64_t rows = CheckedProduct(env, {uint64_t(g.batch), uint64_t(g.outHeight), uint64_t(g.outWidth)}, "output rows");
  uint64_t patch = CheckedProduct(env, {uint64_t(g.filterHeight), uint64_t(g.filterWidth), uint64_t(g.inChannels)},
                                  "patch width");
  if (rows > uint64_t(kMaxDimension) || patch > uint64_t(kMaxDimension)) {
    throw Napi::RangeError::New(env, "native-blas: conv2d output rows or patch width exceed 2^31 - 1");
  }
  FloatRange x = FloatRangeField(
      args, heap, "x",
      CheckedProduct(env, {uint64_t(g.batch), uint64_t(g.inHeight), uint64_t(g.inWidth), uint64_t(g.inChannels)}, "x"));
  FloatRange w = FloatRangeField(args, heap, "filter", CheckedProduct(env, {patch, uint64_t(g.outChannels)}, "filter"));
  FloatRange y = FloatRangeField(args, heap, "y", CheckedProduct(env, {rows, uint64_t(g.outChannels)}, "y"));
  if (HasField(args, "bias") && pass != "forward") {
    throw Napi::TypeError::New(env, "native-blas: 'bias' is only for pass 'forward'");
  }
  if (pass == "forward") {
    CheckNoOverlap(env, y, x, "y", "x");
    CheckNoOverlap(env, y, w, "y", "filter");
    const float* bias = nullptr;
    if (HasField(args, "bias")) {
      FloatRange range = FloatRangeField(args, heap, "bias", uint64_t(g.outChannels));
      CheckNoOverlap(env, y, range, "y", "bias");
      bias = range.data;
    }
    Forward(env, g, x.data, w.data, bias, y.data);
  } else if (pass == "inputGradient") {
    CheckNoOverlap(env, x, y, "x", "y");
    CheckNoOverlap(env, x, w, "x", "filter");
    InputGradient(env, g, y.data, w.data, x.data);
  } else {
    CheckNoOverlap(env, w, x, "filter", "x");
    CheckNoOverlap(env, w, y, "filter", "y");
    FilterGradient(env, g, x.data, y.data, w.data);
  }
  return env.Undefined();
}

}  // namespace nextx
