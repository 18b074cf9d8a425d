#pragma once

#include <napi.h>

#include <cstdint>

namespace nextx {

// C = op(A)·op(B) + beta·C on row-major float32 matrices with tight leading dimensions (m×k, k×n, m×n).
void Sgemm(bool transposeA, bool transposeB, int64_t m, int64_t n, int64_t k, const float* a, const float* b,
           float beta, float* c);

// Copies `row` (n floats) into each of the first `rows` rows of c.
void FillRows(float* c, int64_t rows, int64_t n, const float* row);

Napi::Value Gemm(const Napi::CallbackInfo& info);

}  // namespace nextx
