#include "gemm.h"

#include <cblas.h>

#include <cstring>

#include "arguments.h"
#include "vector-math.h"
#include "vectorize.h"

namespace nextx {

void Sgemm(bool transposeA, bool transposeB, int64_t m, int64_t n, int64_t k, const float* a, const float* b,
           float beta, float* c) {
  if (k == 0) {
    // C = beta·C + nothing; cblas implementations differ on k = 0, so it is done here.
    if (beta == 0.0f) std::memset(c, 0, sizeof(float) * static_cast<size_t>(m * n));
    return;
  }
  cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
              static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0f, a,
              static_cast<int>(transposeA ? m : k), b, static_cast<int>(transposeB ? k : n), beta, c,
              static_cast<int>(n));
}

NEXTX_VECTOR_CLONES
void GeluTanhInPlace(float* x, int64_t n) {
  for (int64_t i = 0; i < n; i++) x[i] = GeluTanh(x[i]);
}

void FillRows(float* c, int64_t rows, int64_t n, const float* row) {
  for (int64_t r = 0; r < rows; r++) std::memcpy(c + r * n, row, sizeof(float) * static_cast<size_t>(n));
}

// gemm(heap, {batch, m, n, k, transposeA, transposeB, a, strideA, b, strideB, c, bias?, gelu?}): for i < batch,
//   C_i = op(A_i) · op(B_i) [+ bias],  A_i = A + i·strideA,  B_i = B + i·strideB,  C_i = C + i·m·n   (row-major float32)
// then, with gelu: true, C = GELU-tanh(C) (an MLP's first layer in one call).
// a, b, c, bias are byte offsets into the heap; strides are in elements, 0 broadcasting one matrix to every batch
// entry. The optional bias (n values) is added to every row: C starts as the bias and sgemm accumulates onto it.
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object args = KernelOptions(info, "native-blas: gemm(heap, {batch, m, n, k, transposeA, transposeB, a, strideA, b, "
                                    "strideB, c})");
  Heap heap = HeapArgument(env, info[0]);
  int64_t batch = IntegerField(args, "batch", 1, kMaxDimension);
  int64_t m = IntegerField(args, "m", 1, kMaxDimension);
  int64_t n = IntegerField(args, "n", 1, kMaxDimension);
  int64_t k = IntegerField(args, "k", 0, kMaxDimension);
  bool transposeA = BooleanField(args, "transposeA");
  bool transposeB = BooleanField(args, "transposeB");
  uint64_t sizeA = CheckedProduct(env, {uint64_t(m), uint64_t(k)}, "m·k");
  uint64_t sizeB = CheckedProduct(env, {uint64_t(k), uint64_t(n)}, "k·n");
  uint64_t sizeC = CheckedProduct(env, {uint64_t(m), uint64_t(n)}, "m·n");
  int64_t strideA = IntegerField(args, "strideA", 0, int64_t{1} << 53);
  int64_t strideB = IntegerField(args, "strideB", 0, int64_t{1} << 53);
  uint64_t spanA = CheckedSum(env, CheckedProduct(env, {uint64_t(batch - 1), uint64_t(strideA)}, "strideA"), sizeA, "a");
  uint64_t spanB = CheckedSum(env, CheckedProduct(env, {uint64_t(batch - 1), uint64_t(strideB)}, "strideB"), sizeB, "b");
  FloatRange a = FloatRangeField(args, heap, "a", spanA);
  FloatRange b = FloatRangeField(args, heap, "b", spanB);
  FloatRange c = FloatRangeField(args, heap, "c", CheckedProduct(env, {uint64_t(batch), sizeC}, "batch·m·n"));
  CheckNoOverlap(env, c, a, "c", "a");
  CheckNoOverlap(env, c, b, "c", "b");
  const float* bias = nullptr;
  if (HasField(args, "bias")) {
    FloatRange range = FloatRangeField(args, heap, "bias", uint64_t(n));
    CheckNoOverlap(env, c, range, "c", "bias");
    bias = range.data;
  }
  const bool gelu = HasField(args, "gelu") && BooleanField(args, "gelu");
  const float beta = bias ? 1.0f : 0.0f;
  if (bias) FillRows(c.data, batch * m, n, bias);

  // A batch of row blocks against one shared right-hand matrix is a single product with batch·m rows.
  bool foldable = strideB == 0 && !transposeA && (batch == 1 || uint64_t(strideA) == sizeA) &&
                  batch * m <= kMaxDimension;
  if (foldable) {
    Sgemm(false, transposeB, batch * m, n, k, a.data, b.data, beta, c.data);
  } else {
    for (int64_t i = 0; i < batch; i++) {
      Sgemm(transposeA, transposeB, m, n, k, a.data + i * strideA, b.data + i * strideB, beta, c.data + i * sizeC);
    }
  }
  if (gelu) GeluTanhInPlace(c.data, batch * static_cast<int64_t>(sizeC));
  return env.Undefined();
}

}  // namespace nextx
