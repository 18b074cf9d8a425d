// Elementwise math for the addon's vectorized loops (inline, branch-free, so that GCC vectorizes the loops calling it).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace nextx {

// e^x for float32 with a Cephes-style range reduction and degree-6 polynomial (about 1 ulp), written branch-free so
// that the compiler vectorizes the loops that call it (std::exp is a library call per element).
inline float VectorExp(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);
  // n = round(x / ln 2) by adding and removing 1.5·2^23 (std::floor and std::nearbyint stop GCC's vectorizer).
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  const float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;  // 2^n
#if defined(__GNUC__) || defined(__clang__)
  const float scale = __builtin_bit_cast(float, bits);  // memcpy through a stack slot keeps GCC from vectorizing
#else
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
#endif
  return p * scale;
}

// torch's GELU(approximate='tanh') as core's geluTanh computes it: x·σ(2·√(2/π)·(x + 0.044715·x·x·x)), with
// σ(u) = 1 / (1 + e^−u) (1 + tanh(u) = 2σ(2u)).
inline float GeluTanh(float x) {
  const float cube = (x * x) * x;
  const float twiceInner = (x + cube * 0.044715f) * 1.5957691216057308f;
  return x * (1.0f / (1.0f + VectorExp(-twiceInner)));
}

// Σ f(x[i]) in float64 over 8 interleaved partial sums (a plain running sum would stay scalar: reassociating it is
// not allowed without -ffast-math, and the lanes make it a vector loop).
template <typename Term>
inline double LaneSum(const float* x, int64_t n, Term term) {
  double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; j++) lanes[j] += term(x[i + j]);
  }
  double sum = 0;
  for (int j = 0; j < 8; j++) sum += lanes[j];
  for (; i < n; i++) sum += term(x[i]);
  return sum;
}

}  // namespace nextx
