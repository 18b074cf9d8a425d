#include "layer-norm.h"

#include <cmath>
#include <cstdint>

#include "arguments.h"
#include "vector-math.h"
#include "vectorize.h"

namespace nextx {

namespace {

// One row: mean and biased variance over its `dim` values (two passes, float64 sums), then
// y = (x − mean)·rstd·weight + bias.
NEXTX_VECTOR_CLONES
void LayerNormRow(const float* x, float* y, int64_t dim, double eps, const float* weight, const float* bias,
                  const float* scale, const float* shift) {
  const double mean = LaneSum(x, dim, [](float v) { return static_cast<double>(v); }) / static_cast<double>(dim);
  const double squares = LaneSum(x, dim, [mean](float v) {
    const double d = v - mean;
    return d * d;
  });
  const float m = static_cast<float>(mean);
  const float rstd = static_cast<float>(1.0 / std::sqrt(squares / static_cast<double>(dim) + eps));
  if (weight && bias) {
    for (int64_t i = 0; i < dim; i++) y[i] = (x[i] - m) * rstd * weight[i] + bias[i];
  } else if (weight) {
    for (int64_t i = 0; i < dim; i++) y[i] = (x[i] - m) * rstd * weight[i];
  } else {
    for (int64_t i = 0; i < dim; i++) y[i] = (x[i] - m) * rstd;
  }
  if (scale && shift) {
    for (int64_t i = 0; i < dim; i++) y[i] = y[i] * (scale[i] + 1.0f) + shift[i];
  }
}

}  // namespace

// layerNorm(heap, {rows, dim, eps, x, y, weight?, bias?, scale?, shift?, rowsPerGroup?}): torch.nn.LayerNorm over
// the last axis of x [rows, dim] into y (biased variance), then the optional per-feature weight and bias (bias only
// with a weight), then the optional AdaLN modulation y·(1 + scale) + shift, scale and shift [rows / rowsPerGroup, dim]
// (group g = row / rowsPerGroup: a sample's rows share its modulation). Offsets are bytes into the heap; y must not
// overlap any input.
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object args = KernelOptions(info, "native-blas: layerNorm(heap, {rows, dim, eps, x, y, weight?, bias?})");
  Heap heap = HeapArgument(env, info[0]);
  const auto [rows, dim, eps, x, y] = RowArguments(args, heap);
  const float* weight = OptionalVector(args, heap, y, "weight", uint64_t(dim));
  const float* bias = OptionalVector(args, heap, y, "bias", uint64_t(dim));
  if (bias && !weight) throw Napi::TypeError::New(env, "native-blas: layerNorm: 'bias' needs 'weight'");
  const bool modulated = HasField(args, "scale") || HasField(args, "shift");
  const int64_t rowsPerGroup = modulated ? IntegerField(args, "rowsPerGroup", 1, rows) : rows;
  if (modulated && rows % rowsPerGroup != 0) {
    throw Napi::RangeError::New(env, "native-blas: layerNorm: 'rowsPerGroup' must divide 'rows'");
  }
  const uint64_t modulationSize = CheckedProduct(env, {uint64_t(rows / rowsPerGroup), uint64_t(dim)}, "groups·dim");
  const float* scale = OptionalVector(args, heap, y, "scale", modulationSize);
  const float* shift = OptionalVector(args, heap, y, "shift", modulationSize);
  if (modulated && !(scale && shift)) throw Napi::TypeError::New(env, "native-blas: layerNorm: 'scale' and 'shift' go together");
  for (int64_t r = 0; r < rows; r++) {
    const int64_t g = (r / rowsPerGroup) * dim;
    LayerNormRow(x.data + r * dim, y.data + r * dim, dim, eps, weight, bias, scale ? scale + g : nullptr,
                 shift ? shift + g : nullptr);
  }
  return env.Undefined();
}

}  // namespace nextx
