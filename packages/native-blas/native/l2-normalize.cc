#include "l2-normalize.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "arguments.h"
#include "vector-math.h"
#include "vectorize.h"

namespace nextx {

namespace {

// y = x / max(‖x‖₂, eps) · scale (torch's F.normalize, then a per-row factor); the sum of squares in float64.
NEXTX_VECTOR_CLONES
void NormalizeRow(const float* x, float* y, int64_t dim, double eps, float scale) {
  const double squares = LaneSum(x, dim, [](float v) { return static_cast<double>(v) * v; });
  const float norm = static_cast<float>(std::max(std::sqrt(squares), eps));
  for (int64_t k = 0; k < dim; k++) y[k] = x[k] / norm * scale;
}

}  // namespace

// l2Normalize(heap, {rows, dim, eps, x, y, scale?, rowsPerScale?}): each row of x [rows, dim] divided by its L2 norm
// (at least eps) into y, then multiplied by scale[⌊r / rowsPerScale⌋ mod S] when a scale of S floats is given (a
// per-head temperature over [B, H, L, d] rows: rowsPerScale = L, S = H). Offsets are bytes into the heap.
Napi::Value L2Normalize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object args = KernelOptions(info, "native-blas: l2Normalize(heap, {rows, dim, eps, x, y, scale?, rowsPerScale?})");
  Heap heap = HeapArgument(env, info[0]);
  const auto [rows, dim, eps, x, y] = RowArguments(args, heap);
  const float* scale = nullptr;
  int64_t scales = 1;
  int64_t rowsPerScale = rows;
  if (HasField(args, "scale")) {
    scales = IntegerField(args, "scales", 1, rows);
    rowsPerScale = IntegerField(args, "rowsPerScale", 1, rows);
    scale = OptionalVector(args, heap, y, "scale", uint64_t(scales));
  }
  for (int64_t r = 0; r < rows; r++) {
    const float factor = scale ? scale[(r / rowsPerScale) % scales] : 1.0f;
    NormalizeRow(x.data + r * dim, y.data + r * dim, dim, eps, factor);
  }
  return env.Undefined();
}

}  // namespace nextx
